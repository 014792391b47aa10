//! The [`Executor`] trait: where a statement runs.

use crate::acquire::AcquireFuture;
use crate::connection::{Connection, PoolConnection};
use crate::pool::Pool;
use crate::transaction::Transaction;

/// The future of [`Executor::connection`]: boxed, so that the futures of the
/// query methods are `Send` for every lifetime (as `tokio::spawn` requires).
#[doc(hidden)]
pub type ConnectionFuture<'c> = AcquireFuture<'c, MaybeOwned<'c>>;

/// A connection that is either owned (checked out for one statement) or
/// borrowed (the caller's connection or transaction).
#[doc(hidden)]
#[derive(Debug)]
pub enum MaybeOwned<'c> {
    /// Checked out of a pool for this statement; returned when dropped.
    Owned(PoolConnection),
    /// The caller's.
    Borrowed(&'c mut Connection),
}

impl std::ops::Deref for MaybeOwned<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            MaybeOwned::Owned(c) => c,
            MaybeOwned::Borrowed(c) => c,
        }
    }
}

impl std::ops::DerefMut for MaybeOwned<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        match self {
            MaybeOwned::Owned(c) => c,
            MaybeOwned::Borrowed(c) => c,
        }
    }
}

/// Something statements run on: `&Pool` (a connection is checked out for
/// each statement), `&mut PoolConnection`, `&mut Transaction`, or the
/// `&mut Connection` either dereferences to (`&mut *conn`, `&mut *tx`).
pub trait Executor<'c>: Send + Sized {
    /// The connection to run on.
    #[doc(hidden)]
    fn connection(self) -> ConnectionFuture<'c>;
}

impl<'c> Executor<'c> for &'c Pool {
    fn connection(self) -> ConnectionFuture<'c> {
        Box::pin(async move { self.acquire().await.map(MaybeOwned::Owned) })
    }
}

impl<'c> Executor<'c> for &'c mut PoolConnection {
    fn connection(self) -> ConnectionFuture<'c> {
        Box::pin(std::future::ready(Ok(MaybeOwned::Borrowed(self))))
    }
}

impl<'c> Executor<'c> for &'c mut Connection {
    fn connection(self) -> ConnectionFuture<'c> {
        Box::pin(std::future::ready(Ok(MaybeOwned::Borrowed(self))))
    }
}

impl<'c, 't: 'c> Executor<'c> for &'c mut Transaction<'t> {
    fn connection(self) -> ConnectionFuture<'c> {
        Box::pin(std::future::ready(Ok(MaybeOwned::Borrowed(self))))
    }
}
