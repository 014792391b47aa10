//! Transactions, with rollback on drop.

use crate::connection::{Connection, WorkerState};
use crate::error::{Error, Result};
use crate::executor::MaybeOwned;

/// An open transaction. Commit it with [`commit`](Self::commit); dropping it
/// without committing rolls it back.
///
/// It dereferences to its [`Connection`], whose `execute_batch` and
/// `append` run inside the transaction. DuckDB has no SAVEPOINT, so
/// transactions do not nest: [`begin`](Connection::begin) on a transaction
/// is an error.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> andamios::Result<()> {
/// let pool = andamios::Pool::connect("duckdb::memory:").await?;
/// pool.execute_batch("CREATE TABLE t (x INTEGER)").await?;
/// let mut tx = pool.begin().await?;
/// andamios::query("INSERT INTO t VALUES (1)").execute(&mut tx).await?;
/// andamios::query("INSERT INTO t VALUES (2)").execute(&mut *tx).await?; // as SQLx writes it
/// tx.commit().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Transaction<'c> {
    conn: MaybeOwned<'c>,
    open: bool,
}

impl<'c> Transaction<'c> {
    pub(crate) async fn begin_on(conn: MaybeOwned<'c>) -> Result<Transaction<'c>> {
        if conn.worker.in_transaction {
            return Err(Error::NestedTransaction);
        }
        // The transaction exists before BEGIN is sent, so that its drop
        // rolls back whatever happens next: BEGIN may run after this future
        // is dropped, or be interrupted as it runs and still leave an
        // (aborted) transaction open.
        let mut tx = Transaction { conn, open: true };
        tx.conn.worker.in_transaction = true;
        match tx.conn.worker.run(|s| s.control("BEGIN TRANSACTION")).await? {
            Ok(()) => Ok(tx),
            // One begun with raw SQL (`query("BEGIN")`) is open: the failed
            // BEGIN has aborted it, and the drop of `tx` rolls it back.
            Err(e) if e.to_string().contains("cannot start a transaction within a transaction") => {
                Err(Error::NestedTransaction)
            }
            Err(e) => Err(e),
        }
    }

    /// Makes the transaction's changes permanent. A write conflict with a
    /// concurrent transaction fails with [`DatabaseErrorKind::Conflict`](crate::DatabaseErrorKind::Conflict),
    /// and the changes are rolled back.
    ///
    /// A statement that failed inside the transaction (its error returned,
    /// or ignored) aborted it: DuckDB then rolls back on COMMIT without an
    /// error, so this checks first, and returns an error of kind
    /// [`DatabaseErrorKind::Transaction`](crate::DatabaseErrorKind::Transaction)
    /// instead of reporting the lost changes as committed.
    pub async fn commit(mut self) -> Result<()> {
        self.finish(WorkerState::commit).await
    }

    /// Discards the transaction's changes.
    pub async fn rollback(mut self) -> Result<()> {
        self.finish(|s| s.control("ROLLBACK")).await
    }

    async fn finish(&mut self, end: fn(&mut WorkerState) -> Result<()>) -> Result<()> {
        let worker = &mut self.conn.worker;
        let result = worker
            .run(move |s| {
                let outcome = end(s);
                if outcome.is_err() {
                    // Leave no half-open transaction behind on the connection.
                    let _ = s.control("ROLLBACK");
                }
                outcome
            })
            .await;
        self.open = false;
        worker.in_transaction = false;
        result?
    }
}

/// A transaction is its connection in a transactional state: `&mut *tx`
/// (as SQLx code writes it) is that connection, and statements run on it
/// run inside the transaction.
impl std::ops::Deref for Transaction<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl std::ops::DerefMut for Transaction<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.open {
            let worker = &mut self.conn.worker;
            worker.in_transaction = false;
            // Queued before any later job on this connection, so the next
            // user finds no open transaction.
            worker.run_detached(|s| {
                let _ = s.control("ROLLBACK");
            });
        }
    }
}
