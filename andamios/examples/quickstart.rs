//! Quickstart: an embedded DuckDB file, a schema, 100k rows bulk-loaded, and
//! typed queries (an aggregate, a join, a stream).
//!
//! Run with `cargo run --example quickstart`.

use andamios::{query_as, query_scalar, AppendRow, FromRow, Pool, PoolOptions};
use futures::StreamExt;

#[derive(Debug, AppendRow)]
struct Sale {
    id: i64,
    store_id: i32,
    amount_cents: i64,
    sold_on: andamios::types::Date,
}

#[derive(Debug, FromRow)]
struct StoreTotal {
    city: String,
    sales: i64,
    revenue_cents: i64,
}

#[tokio::main]
async fn main() -> andamios::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("shop.duckdb");
    let pool: Pool = PoolOptions::new().max_connections(4).connect(&format!("duckdb:{}", path.display())).await?;
    println!("opened {}", path.display());

    pool.execute_batch(
        "CREATE TABLE stores (id INTEGER PRIMARY KEY, city VARCHAR NOT NULL);
         CREATE TABLE sales (
             id BIGINT PRIMARY KEY,
             store_id INTEGER NOT NULL REFERENCES stores(id),
             amount_cents BIGINT NOT NULL,
             sold_on DATE NOT NULL
         );",
    )
    .await?;
    pool.append("stores", [(1, "Lisbon"), (2, "Porto"), (3, "Faro")].map(|(id, city)| (id, city.to_owned()))).await?;

    let start = andamios::types::Date::from_ymd(2024, 1, 1).expect("a valid date");
    let loaded = pool
        .append(
            "sales",
            (0..100_000i64).map(move |i| Sale {
                id: i,
                store_id: (i % 3) as i32 + 1,
                amount_cents: 500 + (i * 7919) % 20_000,
                sold_on: andamios::types::Date { days: start.days + (i % 366) as i32 },
            }),
        )
        .await?;
    println!("bulk-loaded {loaded} sales");

    let revenue: i64 = query_scalar("SELECT sum(amount_cents)::BIGINT FROM sales").fetch_one(&pool).await?;
    println!("total revenue: {}.{:02} EUR", revenue / 100, revenue % 100);

    let totals: Vec<StoreTotal> = query_as(
        "SELECT s.city, count(*) AS sales, sum(x.amount_cents)::BIGINT AS revenue_cents
         FROM sales x JOIN stores s ON s.id = x.store_id
         GROUP BY s.city ORDER BY revenue_cents DESC",
    )
    .fetch_all(&pool)
    .await?;
    println!("{:<8} {:>7} {:>14}", "city", "sales", "revenue (EUR)");
    for t in &totals {
        println!("{:<8} {:>7} {:>11}.{:02}", t.city, t.sales, t.revenue_cents / 100, t.revenue_cents % 100);
    }

    let mut big_days = query_as::<(andamios::types::Date, i64)>(
        "SELECT sold_on, sum(amount_cents)::BIGINT FROM sales GROUP BY sold_on HAVING sum(amount_cents) > $1 ORDER BY sold_on",
    )
    .bind(2_900_000i64)
    .fetch(&pool);
    let mut shown = 0;
    while let Some(day) = big_days.next().await {
        let (date, cents) = day?;
        if shown < 3 {
            println!("busy day {date}: {}.{:02} EUR", cents / 100, cents % 100);
        }
        shown += 1;
    }
    println!("{shown} days above 29,000 EUR (streamed)");
    Ok(())
}
