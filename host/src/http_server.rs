//! The HTTP listener: HTTP/1.1 connections (upgrades included, for WebSockets) with the limits
//! a reverse proxy would put in front of a server, so slow or idle clients cannot hold
//! connections and file descriptors for ever:
//! - a header-read timeout, which also bounds how long an idle keep-alive connection waits
//!   for its next request (on a [`CoarseTimer`]: it is armed for every request);
//! - a body-read timeout between chunks of a request body (applied by the router);
//! - a cap on open connections: past it, new connections wait in the kernel's backlog until
//!   one closes.
//!
//! On shutdown it stops accepting and lets requests in flight finish.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt as _;

use crate::coarse_timer::CoarseTimer;

/// Connections the kernel queues for `accept` before it drops new ones. The default of
/// `TcpListener::bind` (128) overflows when a few hundred clients connect at once (every
/// stream of a busy WebSocket or SSE front end does): the kernel then drops their SYNs and
/// each waits a full second to retry. The kernel caps it at `net.core.somaxconn`.
pub const LISTEN_BACKLOG: u32 = 4096;

/// Listen on `addr` with [`LISTEN_BACKLOG`].
pub fn listen(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // What `TcpListener::bind` sets too: a restarted server can bind while the old one's
    // connections linger in TIME_WAIT.
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// The listener's limits (`[server]`).
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time from a connection's start, or the end of its last response, to the end of the next
    /// request's headers.
    pub header_read_timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
}

/// Serve `app` on `listener` until `shutdown` completes, then finish the requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(CoarseTimer::for_timeout(limits.header_read_timeout))
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    let mut warned_full = false;
    loop {
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => slot,
        };
        let Ok(slot) = slot else { break };
        let (stream, remote) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // EMFILE and friends: wait a moment rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        if slots.available_permits() == 0 && !warned_full {
            tracing::warn!(
                max_connections = limits.max_connections,
                "open connections at [server] max_connections; new ones wait until one closes"
            );
            warned_full = true;
        } else if slots.available_permits() > 0 {
            warned_full = false;
        }
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let service = app
            .clone()
            .map_request(move |mut request: axum::http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                request
            });
        let connection = builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .with_upgrades();
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                _ = async { stopping.wait_for(|stop| *stop).await.map(drop) } => {
                    // Finish the request in flight, take no other.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = ended {
                tracing::debug!(%remote, %error, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection gives its slot back when it ends.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(DRAIN_TIMEOUT, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after {DRAIN_TIMEOUT:?}; stopping anyway");
    }
    Ok(())
}

/// How long shutdown waits for requests in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Connections the kernel completes for a listener nobody accepts on are queued up to the
    /// backlog; past it their SYNs are dropped. Three hundred clients at once (more than the
    /// 128 of `TcpListener::bind`) must all be queued.
    #[tokio::test]
    async fn a_burst_of_connections_waits_in_the_backlog() {
        let somaxconn: usize = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(4096);
        let burst = 300.min(somaxconn);
        let listener = listen(([127, 0, 0, 1], 0).into()).unwrap_or_else(|e| panic!("{e}"));
        let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let clients = tokio::task::spawn_blocking(move || {
            (0..burst)
                .map(|_| std::net::TcpStream::connect_timeout(&address, Duration::from_millis(500)))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let refused = clients.iter().filter(|c| c.is_err()).count();
        assert_eq!(
            refused, 0,
            "{refused} of {burst} connections were not queued"
        );
        drop(listener);
    }
}
