//! Quickstart: an embedded DuckDB file in a temporary folder, the schema from
//! `migrations/`, 100k events bulk-loaded, and checked, typed queries: an
//! aggregate, a join, a list and a stream.
//!
//! Run with `cargo run --example quickstart`.

use andamios_example::{Analytics, Customer, Event};
use chrono::{Duration, NaiveDate};

fn euros(cents: i64) -> String {
    format!("{}.{:02} EUR", cents / 100, cents % 100)
}

#[tokio::main]
async fn main() -> andamios::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("analytics.duckdb");
    let analytics = Analytics::open(&format!("duckdb:{}", path.display())).await?;
    println!("opened {} and applied the migrations", path.display());

    let start = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a valid date");
    let countries = ["PT", "BR", "ES", "MX", "AO"];
    let customers: Vec<Customer> = (0..500)
        .map(|i| Customer {
            id: i,
            name: format!("customer-{i:03}"),
            country: countries[(i % 5) as usize].to_owned(),
            signed_up: start + Duration::days(i % 90),
        })
        .collect();
    analytics.load_customers(customers).await?;

    let events = (0..100_000i64).map(move |i| {
        let kind = match i % 10 {
            0..=5 => "view",
            6..=7 => "cart",
            _ => "purchase",
        };
        Event {
            id: i,
            customer_id: (i / 10 * 37 + i % 7) % 500,
            kind: kind.to_owned(),
            amount_cents: (kind == "purchase").then_some(500 + (i * 31) % 9_500),
            at: start.and_hms_opt(8, 0, 0).expect("a valid time") + Duration::minutes(i * 3),
        }
    });
    let loaded = analytics.load_events(events).await?;
    println!("bulk-loaded {loaded} events");

    println!("\npurchases: {}", analytics.count("purchase").await?);

    println!("\nrevenue of the first days:");
    for day in analytics.daily_revenue().await?.iter().take(3) {
        println!("  {}  {:>4} purchases  {:>14}", day.day, day.purchases, euros(day.revenue_cents));
    }

    println!("\ntop customers (a join):");
    for c in analytics.customer_totals().await?.iter().take(3) {
        println!(
            "  {:<14} {}  {:>3} purchases  {:>14}",
            c.name,
            c.country,
            c.purchases,
            euros(c.spent_cents.unwrap_or(0))
        );
    }

    let journey = analytics.journey(7).await?;
    println!("\nwhat customer-007 did first: {}", journey[..journey.len().min(5)].join(" -> "));

    let pt = analytics.country_revenue("PT").await?;
    println!("\nrevenue from PT, streamed: {}", euros(pt));
    Ok(())
}
