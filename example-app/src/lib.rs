//! A small analytics service on Andamios, to copy from.
//!
//! [`Analytics`] is a repository: every statement is a checked macro, so a
//! change to `migrations/` that breaks one is a compile error here, not a
//! failure in production. It shows migrations, bulk loading, typed
//! aggregates and joins, streaming, and a transaction.
#![warn(missing_docs, unreachable_pub, missing_debug_implementations)]

use andamios::{AppendRow, Pool};
use chrono::{NaiveDate, NaiveDateTime};
use futures::{Stream, StreamExt};

/// A customer.
#[derive(Debug, Clone, PartialEq, AppendRow)]
pub struct Customer {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// ISO country code.
    pub country: String,
    /// When they signed up.
    pub signed_up: NaiveDate,
}

/// Something a customer did.
#[derive(Debug, Clone, PartialEq, AppendRow)]
pub struct Event {
    /// Id.
    pub id: i64,
    /// Who.
    pub customer_id: i64,
    /// `view`, `cart` or `purchase`.
    pub kind: String,
    /// For purchases, the amount in cents.
    pub amount_cents: Option<i64>,
    /// When (column `occurred_at`).
    #[andamios(rename = "occurred_at")]
    pub at: NaiveDateTime,
}

/// Revenue of one day.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyRevenue {
    /// The day.
    pub day: NaiveDate,
    /// Purchases that day.
    pub purchases: i64,
    /// Revenue in cents.
    pub revenue_cents: i64,
}

/// A customer's totals.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerTotal {
    /// Customer name.
    pub name: String,
    /// Country.
    pub country: String,
    /// Purchases made (0 for none).
    pub purchases: i64,
    /// Money spent, if anything.
    pub spent_cents: Option<i64>,
}

/// The analytics repository.
#[derive(Debug, Clone)]
pub struct Analytics {
    pool: Pool,
}

impl Analytics {
    /// Opens `url` and brings its schema up to date.
    pub async fn open(url: &str) -> andamios::Result<Analytics> {
        let pool = Pool::connect(url).await?;
        Analytics::migrate(&pool).await?;
        Ok(Analytics { pool })
    }

    /// Applies this crate's migrations (embedded at compile time).
    pub async fn migrate(pool: &Pool) -> andamios::Result<()> {
        andamios::migrate!().run(pool).await.map(|_| ())
    }

    /// A repository on an existing pool (whose schema is current).
    pub fn new(pool: Pool) -> Analytics {
        Analytics { pool }
    }

    /// The pool.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Bulk-loads customers; all or none.
    pub async fn load_customers(&self, customers: Vec<Customer>) -> andamios::Result<u64> {
        self.pool.append("customers", customers).await
    }

    /// Bulk-loads events from any iterator; all or none.
    pub async fn load_events<I>(&self, events: I) -> andamios::Result<u64>
    where
        I: IntoIterator<Item = Event>,
        I::IntoIter: Send + 'static,
    {
        self.pool.append("events", events).await
    }

    /// Records one event.
    pub async fn record(&self, event: &Event) -> andamios::Result<()> {
        andamios::query!(
            "INSERT INTO events (id, customer_id, kind, amount_cents, occurred_at) VALUES ($1, $2, $3, $4, $5)",
            event.id,
            event.customer_id,
            event.kind,
            event.amount_cents,
            event.at
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Revenue per day, oldest first.
    pub async fn daily_revenue(&self) -> andamios::Result<Vec<DailyRevenue>> {
        andamios::query_as!(
            DailyRevenue,
            r#"SELECT occurred_at::DATE AS day, count(*) AS purchases, sum(amount_cents)::BIGINT AS "revenue_cents!"
               FROM events WHERE kind = 'purchase'
               GROUP BY day ORDER BY day"#
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Every customer with their totals (a LEFT JOIN: customers without
    /// purchases have `spent_cents == None`), biggest spenders first.
    pub async fn customer_totals(&self) -> andamios::Result<Vec<CustomerTotal>> {
        andamios::query_as!(
            CustomerTotal,
            "SELECT c.name, c.country, count(e.id) AS purchases, sum(e.amount_cents)::BIGINT AS spent_cents
             FROM customers c LEFT JOIN events e ON e.customer_id = c.id AND e.kind = 'purchase'
             GROUP BY c.name, c.country
             ORDER BY spent_cents DESC NULLS LAST, c.name"
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Number of events of `kind`.
    pub async fn count(&self, kind: &str) -> andamios::Result<i64> {
        andamios::query_scalar!("SELECT count(*) FROM events WHERE kind = $1", kind).fetch_one(&self.pool).await
    }

    /// What a customer did, oldest first, as the kinds of their events
    /// (none for a customer without events). `list` of a NOT NULL column
    /// holds no NULL, so the checked query reads it as a `Vec<String>`;
    /// `$customer` is filled from the variable of that name.
    pub async fn journey(&self, customer: i64) -> andamios::Result<Vec<String>> {
        let kinds = andamios::query_scalar!(
            "SELECT list(kind ORDER BY occurred_at, id) FROM events WHERE customer_id = $customer"
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(kinds.unwrap_or_default())
    }

    /// A customer's name, if they exist.
    pub async fn customer_name(&self, id: i64) -> andamios::Result<Option<String>> {
        andamios::query_scalar!("SELECT name FROM customers WHERE id = $1", id).fetch_optional(&self.pool).await
    }

    /// Purchase amounts of a country, streamed a chunk at a time.
    pub fn purchases_in(&self, country: &str) -> impl Stream<Item = andamios::Result<i64>> + '_ {
        andamios::query_scalar!(
            r#"SELECT e.amount_cents AS "amount_cents!"
               FROM events e JOIN customers c ON c.id = e.customer_id
               WHERE c.country = $1 AND e.kind = 'purchase'
               ORDER BY e.id"#,
            country
        )
        .fetch(&self.pool)
    }

    /// Sum of a country's purchases, read through [`purchases_in`](Self::purchases_in).
    pub async fn country_revenue(&self, country: &str) -> andamios::Result<i64> {
        let mut stream = std::pin::pin!(self.purchases_in(country));
        let mut total = 0;
        while let Some(amount) = stream.next().await {
            total += amount?;
        }
        Ok(total)
    }

    /// Moves store credit between customers in one transaction: both
    /// balances change or neither does (a negative balance violates the
    /// CHECK constraint and rolls everything back). Transfers that touch
    /// one balance at once conflict in DuckDB; `Pool::transaction` runs the
    /// loser's again.
    pub async fn transfer_credit(&self, from: i64, to: i64, cents: i64) -> andamios::Result<()> {
        self.pool
            .transaction(|tx| {
                Box::pin(async move {
                    andamios::query!(
                        "UPDATE credits SET balance_cents = balance_cents - $1::BIGINT WHERE customer_id = $2",
                        cents,
                        from
                    )
                    .execute(&mut *tx)
                    .await?;
                    andamios::query!(
                        "UPDATE credits SET balance_cents = balance_cents + $1::BIGINT WHERE customer_id = $2",
                        cents,
                        to
                    )
                    .execute(&mut *tx)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    /// A customer's credit balance.
    pub async fn credit(&self, customer: i64) -> andamios::Result<Option<i64>> {
        andamios::query_scalar!("SELECT balance_cents FROM credits WHERE customer_id = $1", customer)
            .fetch_optional(&self.pool)
            .await
    }
}
