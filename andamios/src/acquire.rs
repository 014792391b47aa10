//! The [`Acquire`] trait: one connection for several statements.

use crate::connection::Connection;
use crate::error::Result;
use crate::executor::{Executor, MaybeOwned};
use crate::transaction::Transaction;
use std::future::Future;
use std::pin::Pin;

/// The future of [`Acquire`]'s methods (and of [`Executor`]'s): boxed, so
/// that a generic caller's future is `Send` for every lifetime, as
/// `tokio::spawn` requires.
pub type AcquireFuture<'c, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'c>>;

/// Where a function that runs several statements gets its connection, as
/// with SQLx's `Acquire`: from `&Pool` it checks one out (back to the pool
/// when dropped); `&mut PoolConnection`, `&mut Transaction` and `&mut
/// Connection` lend the caller's, so that the statements run inside the
/// caller's transaction.
///
/// An [`Executor`](crate::Executor) is spent by one statement; take an
/// `impl Acquire` where a function runs several:
///
/// ```
/// use andamios::{query, query_scalar, Acquire};
///
/// async fn add_pair<'c>(db: impl Acquire<'c>, x: i32) -> andamios::Result<()> {
///     let mut conn = db.acquire().await?;
///     query("INSERT INTO t VALUES ($1)").bind(x).execute(&mut *conn).await?;
///     query("INSERT INTO t VALUES ($1)").bind(x + 1).execute(&mut *conn).await?;
///     Ok(())
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> andamios::Result<()> {
/// let pool = andamios::Pool::connect("duckdb::memory:").await?;
/// pool.execute_batch("CREATE TABLE t (x INTEGER)").await?;
/// add_pair(&pool, 1).await?;
///
/// let mut tx = pool.begin().await?;
/// add_pair(&mut tx, 10).await?;
/// tx.rollback().await?; // takes both rows of the second call with it
///
/// let n: i64 = query_scalar("SELECT count(*) FROM t").fetch_one(&pool).await?;
/// assert_eq!(n, 2);
/// # Ok(()) }
/// ```
///
/// Unlike SQLx's, whose connection is an associated type, the connection
/// here is one concrete type, [`Acquired`]: so a generic function like
/// `add_pair` can run in `tokio::spawn` or an axum handler, where SQLx
/// reports "implementation of `Acquire` is not general enough".
pub trait Acquire<'c>: Send + Sized + 'c {
    /// Checks out a connection, or lends the caller's.
    fn acquire(self) -> AcquireFuture<'c, Acquired<'c>>;

    /// Begins a transaction on that connection. On a transaction it fails
    /// with [`Error::NestedTransaction`](crate::Error::NestedTransaction):
    /// DuckDB cannot nest transactions.
    fn begin(self) -> AcquireFuture<'c, Transaction<'c>> {
        Box::pin(async move { Transaction::begin_on(self.acquire().await?.0).await })
    }
}

/// A connection from [`Acquire::acquire`]: checked out of a pool (and back
/// to it when dropped), or the caller's. It dereferences to its
/// [`Connection`]: run statements on `&mut *conn`.
#[derive(Debug)]
pub struct Acquired<'c>(MaybeOwned<'c>);

impl std::ops::Deref for Acquired<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.0
    }
}

impl std::ops::DerefMut for Acquired<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0
    }
}

/// Everything statements run on lends its connection the same way.
impl<'c, E: Executor<'c> + 'c> Acquire<'c> for E {
    fn acquire(self) -> AcquireFuture<'c, Acquired<'c>> {
        Box::pin(async move { Ok(Acquired(self.connection().await?)) })
    }
}
