//! Deadlines that cost nothing when the work does not wait.
//!
//! `tokio::time::timeout` registers a timer in the runtime's timer wheel (a lock, an insert,
//! a removal) before it first polls the work, even when the work finishes in that first poll,
//! as a skill that never calls out does. [`within`] polls the work first and arms its timer
//! only when the work has to wait, so a request that never waits takes no timer at all; one
//! that waits still ends at the same instant.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};

/// The deadline passed before the work finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the deadline passed before the work finished")]
pub struct DeadlinePassed;

/// `work`, given up at `deadline`. A timer is armed only if `work` is not ready at its first
/// poll; work that is ready once the deadline has passed still counts as done, as with
/// `tokio::time::timeout`, which also polls the work before its timer.
pub fn within<F: Future>(deadline: Instant, work: F) -> Within<F> {
    Within {
        deadline,
        work,
        timer: None,
    }
}

pin_project! {
    /// The future of [`within`].
    #[must_use = "futures do nothing unless polled"]
    pub struct Within<F> {
        deadline: Instant,
        #[pin]
        work: F,
        #[pin]
        timer: Option<Sleep>,
    }
}

impl<F: Future> Future for Within<F> {
    type Output = Result<F::Output, DeadlinePassed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Poll::Ready(output) = this.work.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if this.timer.is_none() {
            this.timer
                .set(Some(tokio::time::sleep_until(*this.deadline)));
        }
        match this.timer.as_pin_mut().map(|timer| timer.poll(cx)) {
            Some(Poll::Ready(())) => Poll::Ready(Err(DeadlinePassed)),
            _ => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn work_that_is_ready_at_once_needs_no_timer() {
        let deadline = Instant::now() + Duration::from_secs(1);
        let mut work = std::pin::pin!(within(deadline, async { 7 }));
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        match work.as_mut().poll(&mut cx) {
            Poll::Ready(answer) => assert_eq!(answer, Ok(7)),
            Poll::Pending => panic!("ready work was not answered at its first poll"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_work_is_given_up_at_the_deadline_not_before() {
        let started = Instant::now();
        let deadline = started + Duration::from_millis(250);
        let never = within(deadline, std::future::pending::<()>()).await;
        assert_eq!(never, Err(DeadlinePassed));
        assert_eq!(Instant::now() - started, Duration::from_millis(250));
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_work_that_finishes_in_time_is_answered() {
        let deadline = Instant::now() + Duration::from_millis(250);
        let answer = within(deadline, async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            "done"
        })
        .await;
        assert_eq!(answer, Ok("done"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_deadline_already_passed_stops_waiting_work_at_once() {
        let deadline = Instant::now();
        tokio::time::advance(Duration::from_millis(5)).await;
        let started = Instant::now();
        let never = within(deadline, std::future::pending::<()>()).await;
        assert_eq!(never, Err(DeadlinePassed));
        assert_eq!(Instant::now(), started);
    }
}
