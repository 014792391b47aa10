//! The repository, tested with `#[andamios::test]`: each test gets a fresh
//! in-memory database with the migrations and the named fixtures applied.

use andamios::{DatabaseErrorKind, Pool};
use andamios_example::{Analytics, Event};
use chrono::NaiveDate;

#[andamios::test(fixtures("customers", "events"))]
async fn daily_revenue_sums_purchases(pool: Pool) {
    let analytics = Analytics::new(pool);
    let days = analytics.daily_revenue().await.unwrap();
    let day = |d| NaiveDate::from_ymd_opt(2024, 4, d).unwrap();
    assert_eq!(days.len(), 2);
    assert_eq!((days[0].day, days[0].purchases, days[0].revenue_cents), (day(1), 1, 2500));
    assert_eq!((days[1].day, days[1].purchases, days[1].revenue_cents), (day(2), 2, 1500));
}

#[andamios::test(fixtures("customers", "events"))]
async fn customers_without_purchases_have_no_total(pool: Pool) {
    let totals = Analytics::new(pool).customer_totals().await.unwrap();
    let names: Vec<_> = totals.iter().map(|t| (t.name.as_str(), t.purchases, t.spent_cents)).collect();
    assert_eq!(names, [("Ana", 2, Some(3000)), ("Bruno", 1, Some(1000)), ("Carla", 0, None)]);
}

#[andamios::test(fixtures("customers", "events"))]
async fn streams_and_counts(pool: Pool) -> andamios::Result<()> {
    let analytics = Analytics::new(pool);
    assert_eq!(analytics.country_revenue("PT").await?, 3000);
    assert_eq!(analytics.country_revenue("XX").await?, 0);
    assert_eq!(analytics.count("purchase").await?, 3);
    assert_eq!(analytics.customer_name(3).await?.as_deref(), Some("Carla"));
    assert_eq!(analytics.customer_name(9).await?, None);
    Ok(())
}

#[andamios::test(fixtures("customers", "events"))]
async fn transfers_are_all_or_nothing(pool: Pool) {
    let analytics = Analytics::new(pool);
    analytics.transfer_credit(1, 2, 2500).await.unwrap();
    assert_eq!((analytics.credit(1).await.unwrap(), analytics.credit(2).await.unwrap()), (Some(7500), Some(2500)));
    // Bruno has 2500: moving 9000 would go negative; nothing changes.
    let err = analytics.transfer_credit(2, 1, 9000).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::CheckViolation), "{err}");
    assert_eq!((analytics.credit(1).await.unwrap(), analytics.credit(2).await.unwrap()), (Some(7500), Some(2500)));
}

#[andamios::test(fixtures("customers", "events"))]
async fn concurrent_transfers_all_land(pool: Pool) {
    let analytics = std::sync::Arc::new(Analytics::new(pool));
    // Ten transfers of one balance at once: those that conflict run again.
    let transfers: Vec<_> = (0..10)
        .map(|_| {
            let analytics = std::sync::Arc::clone(&analytics);
            tokio::spawn(async move { analytics.transfer_credit(1, 2, 100).await })
        })
        .collect();
    for transfer in transfers {
        transfer.await.unwrap().unwrap();
    }
    assert_eq!((analytics.credit(1).await.unwrap(), analytics.credit(2).await.unwrap()), (Some(9000), Some(1000)));
}

#[andamios::test(fixtures("customers"))]
async fn bulk_loading_keeps_none_of_a_bad_batch(pool: Pool) {
    let analytics = Analytics::new(pool);
    let at = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    let event = move |id, customer_id| Event { id, customer_id, kind: "view".into(), amount_cents: None, at };
    assert_eq!(analytics.load_events((0..1000).map(move |i| event(i, 1 + i % 3))).await.unwrap(), 1000);
    // A duplicate id in the middle of the second batch.
    let err = analytics.load_events((990..2000).map(move |i| event(i, 1))).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::UniqueViolation), "{err}");
    assert_eq!(analytics.count("view").await.unwrap(), 1000);
    analytics.record(&event(5000, 2)).await.unwrap();
    assert_eq!(analytics.count("view").await.unwrap(), 1001);
}

// The two tests insert the same key: each has its own database.
#[andamios::test]
async fn isolated_first(pool: Pool) {
    andamios::query!("INSERT INTO customers VALUES (42, 'Isa', 'PT', DATE '2024-01-01')").execute(&pool).await.unwrap();
}

#[andamios::test]
async fn isolated_second(pool: Pool) {
    andamios::query!("INSERT INTO customers VALUES (42, 'Isa', 'PT', DATE '2024-01-01')").execute(&pool).await.unwrap();
    let n = andamios::query_scalar!("SELECT count(*) FROM customers").fetch_one(&pool).await.unwrap();
    assert_eq!(n, 1);
}

// A fixture that does not fit the schema fails the test, naming the file
// and quoting DuckDB.
#[andamios::test(fixtures("broken"))]
#[should_panic(expected = "fixture fixtures/broken.sql failed")]
async fn a_broken_fixture_names_its_file(pool: Pool) {
    let _ = pool;
}

// An empty database, or the migrations of a folder named in the attribute.
#[andamios::test(migrations = false)]
async fn a_test_without_migrations_starts_empty(pool: Pool) {
    let tables: i64 = andamios::query_scalar("SELECT count(*) FROM duckdb_tables()").fetch_one(&pool).await.unwrap();
    assert_eq!(tables, 0);
}

#[andamios::test(migrations = "migrations", fixtures("customers"))]
async fn a_test_names_its_migrations_folder(pool: Pool) {
    let n = andamios::query_scalar!("SELECT count(*) FROM customers").fetch_one(&pool).await.unwrap();
    assert_eq!(n, 3);
}

#[andamios::test(fixtures("customers", "events"))]
async fn a_journey_lists_a_customers_events_in_order(pool: Pool) -> andamios::Result<()> {
    let analytics = Analytics::new(pool);
    assert_eq!(analytics.journey(1).await?, ["view", "purchase", "purchase"]);
    assert_eq!(analytics.journey(2).await?, ["purchase", "cart"]);
    assert!(analytics.journey(3).await?.is_empty());
    Ok(())
}
