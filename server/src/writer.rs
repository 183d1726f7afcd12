//! One task writes: requests hand their record over and wait for its outcome, and the task
//! stores whatever has queued up meanwhile in one transaction (group commit). A 2xx answer is
//! only given once the transaction that holds the record has committed.

use tokio::sync::{mpsc, oneshot};

use crate::record::Incoming;
use crate::sign::Key;
use crate::store::{Outcome, Store};

/// The most records one transaction takes.
const BATCH: usize = 256;

struct Job {
    record: Incoming,
    reply: oneshot::Sender<Result<Outcome, String>>,
}

#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writing task.
    pub fn start(store: Store, key: std::sync::Arc<Key>) -> Writer {
        let (jobs, mut queue) = mpsc::channel::<Job>(4096);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while let Some(first) = queue.recv().await {
                batch.push(first);
                while batch.len() < BATCH {
                    match queue.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                let (records, replies): (Vec<Incoming>, Vec<_>) =
                    batch.drain(..).map(|j| (j.record, j.reply)).unzip();
                let result = store.insert(&key, &records, now_ms()).await;
                match result {
                    Ok(outcomes) => {
                        for (reply, outcome) in replies.into_iter().zip(outcomes) {
                            let _ = reply.send(Ok(outcome));
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, records = records.len(), "storing a batch of records failed");
                        for reply in replies {
                            let _ = reply.send(Err(e.to_string()));
                        }
                    }
                }
            }
        });
        Writer { jobs }
    }

    /// Stores one record; its outcome once committed (or why it could not be stored).
    pub async fn write(&self, record: Incoming) -> Result<Outcome, String> {
        let (reply, outcome) = oneshot::channel();
        self.jobs
            .send(Job { record, reply })
            .await
            .map_err(|_| "the writer stopped".to_string())?;
        outcome
            .await
            .map_err(|_| "the writer stopped".to_string())?
    }
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
