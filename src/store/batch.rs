//! Group commit: storage steps submitted at about the same time run one after another on one
//! connection, each in its own savepoint, inside one transaction — one commit (one WAL
//! append on SQLite, one flush on PostgreSQL) and one trip to the blocking pool for the lot.
//! A step's answer is released only once the transaction has committed, so nothing it wrote
//! can be lost after its caller was told it is done.

use tokio::sync::{mpsc, oneshot};

use super::{DbConnection, Store, StoreError, transaction, write_transaction};

/// Most steps one transaction carries.
const MAX_BATCH: usize = 64;

/// Steps waiting for the next transaction, at most.
const QUEUE: usize = 4096;

/// What a step hands back once it ran: the answer to release, told whether the commit held.
type Release = Box<dyn FnOnce(Result<(), String>) + Send>;

/// A step, type-erased.
type Job = Box<dyn FnOnce(&mut DbConnection) -> Release + Send>;

/// Runs storage steps in group commits.
#[derive(Debug, Clone)]
pub struct Batcher {
    jobs: mpsc::Sender<Job>,
}

impl Batcher {
    /// Starts the batching task on the current runtime.
    pub fn spawn(store: Store) -> Self {
        let (jobs, mut queue) = mpsc::channel::<Job>(QUEUE);
        tokio::spawn(async move {
            while let Some(first) = queue.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match queue.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                let run = store
                    .run(move |c| {
                        let mut releases = Vec::with_capacity(batch.len());
                        let committed = write_transaction(c, |c| {
                            for job in batch.drain(..) {
                                releases.push(job(c));
                            }
                            Ok(())
                        });
                        let outcome = committed.map_err(|e| e.to_string());
                        for release in releases {
                            release(outcome.clone());
                        }
                        Ok(())
                    })
                    .await;
                if let Err(e) = run {
                    tracing::error!(error = %e, "a batch of storage steps could not run");
                }
            }
        });
        Self { jobs }
    }

    /// Runs `step` in the next group commit and answers once that has committed. A step that
    /// fails rolls back to its own savepoint and leaves the others' writes alone.
    pub async fn run<T, F>(&self, step: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T, StoreError>>();
        let job: Job = Box::new(move |c| {
            // Nested in the batch's transaction, this is a savepoint.
            let outcome = transaction(c, step);
            Box::new(move |committed| {
                let answer_now = match committed {
                    Ok(()) => outcome,
                    Err(e) => Err(StoreError::Unavailable(e)),
                };
                let _ = answer.send(answer_now);
            })
        });
        self.jobs.send(job).await.map_err(|_| StoreError::Task)?;
        answered.await.map_err(|_| StoreError::Task)?
    }
}
