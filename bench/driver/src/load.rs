//! Fixed-concurrency closed-loop load: `concurrency` virtual users repeat one operation for the
//! warm-up and then the measured duration. Operations that finish inside the measured window
//! count (a steady state's completions per second, whatever an operation's length); those
//! still running when it closes do not. For fast request loops the driver's core stays busy
//! polling throughout; slow flows let it sleep between responses.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::flows::Failure;

/// What one scenario on one system measured.
pub struct Outcome {
    /// Successful operations per second.
    pub rate: f64,
    /// Median latency of successful operations, milliseconds.
    pub p50_ms: f64,
    /// 99th-percentile latency of successful operations, milliseconds.
    pub p99_ms: f64,
    /// Failed operations measured (plus virtual users whose set-up failed).
    pub errors: u64,
    /// The first failure seen, for the report.
    pub first_error: Option<Failure>,
}

impl Outcome {
    /// The round with the median rate, with the errors of every round.
    pub fn median_of(mut rounds: Vec<Outcome>) -> Self {
        if rounds.is_empty() {
            return Self::failed(1, "no round ran".into());
        }
        let errors = rounds.iter().map(|o| o.errors).sum();
        let first_error = rounds.iter().find_map(|o| o.first_error.clone());
        rounds.sort_by(|a, b| a.rate.total_cmp(&b.rate));
        let mid = rounds.swap_remove(rounds.len() / 2);
        Self {
            errors,
            first_error,
            ..mid
        }
    }

    /// A scenario that could not start at all.
    pub fn failed(errors: u64, why: Failure) -> Self {
        Self {
            rate: 0.0,
            p50_ms: 0.0,
            p99_ms: 0.0,
            errors,
            first_error: Some(why),
        }
    }
}

#[derive(Default)]
struct Tally {
    errors: u64,
    first_error: Option<Failure>,
}

/// How the driver's core waits for responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// Busy polling: for loops of thousands of requests a second, whose wake-ups would
    /// otherwise cost the servers an inter-processor interrupt each.
    Poll,
    /// Sleeping: for slow flows (a few hundred requests a second), where those wake-ups cost
    /// next to nothing and a spinning neighbour would slow the servers' core more than they do.
    Sleep,
}

/// Runs `op` in `concurrency` loops. `op(vu)` gets the virtual user's index; per-user state lives
/// in what the caller captured.
pub async fn run<F, Fut>(
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    waiting: Waiting,
    op: F,
) -> Result<Outcome, Failure>
where
    F: Fn(usize) -> Fut + 'static,
    Fut: Future<Output = Result<(), Failure>> + 'static,
{
    let empty = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
        .map_err(|e| format!("histogram: {e}"))?;
    let op = Rc::new(op);
    let start = Instant::now();
    let measure_from = start + warmup;
    let stop_at = measure_from + duration;
    let tally = Rc::new(RefCell::new(Tally::default()));
    // The driver's core polls instead of sleeping while the load runs. A response that has to
    // wake a sleeping core costs the sending core an inter-processor interrupt, which in this
    // kind of VM is a trip through the hypervisor: the server would pay for the driver's naps,
    // more the more requests it serves. With one task always ready, the runtime checks its
    // sockets without blocking and the core never goes idle.
    let poller = tokio::task::spawn_local(async move {
        if waiting == Waiting::Poll {
            while Instant::now() < stop_at {
                tokio::task::yield_now().await;
            }
        }
    });
    let mut users = Vec::with_capacity(concurrency);
    for vu in 0..concurrency {
        let op = Rc::clone(&op);
        let tally = Rc::clone(&tally);
        let mut hist = empty.clone();
        users.push(tokio::task::spawn_local(async move {
            loop {
                let began = Instant::now();
                if began >= stop_at {
                    break;
                }
                let result = op(vu).await;
                let last = Instant::now();
                if last < measure_from || last >= stop_at {
                    continue;
                }
                match result {
                    Ok(()) => {
                        let micros = (last - began).as_micros().max(1) as u64;
                        let _ = hist.record(micros.min(hist.high()));
                    }
                    Err(why) => {
                        {
                            let mut t = tally.borrow_mut();
                            t.errors += 1;
                            t.first_error.get_or_insert(why);
                        }
                        // A failing endpoint answers fast; do not spin the driver's core on it.
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                }
            }
            hist
        }));
    }
    let _ = poller.await;
    let mut hist = empty;
    for user in users {
        if let Ok(h) = user.await {
            let _ = hist.add(&h);
        }
    }
    let elapsed = duration.as_secs_f64();
    let tally = tally.take();
    Ok(Outcome {
        rate: hist.len() as f64 / elapsed,
        p50_ms: hist.value_at_quantile(0.50) as f64 / 1000.0,
        p99_ms: hist.value_at_quantile(0.99) as f64 / 1000.0,
        errors: tally.errors,
        first_error: tally.first_error,
    })
}
