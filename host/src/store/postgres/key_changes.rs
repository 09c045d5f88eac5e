//! Listening for key changes: a task holds one connection that `LISTEN`s on the keys'
//! channel and bumps a counter for each notification. Notifications sent while it was
//! disconnected are lost, so after every (re)connect it bumps the counter too (the keys are
//! then read again), and the periodic reload stays as the backstop.

use std::time::Duration;

use futures_util::StreamExt as _;
use tokio::sync::watch;
use tokio_postgres::AsyncMessage;

use super::Connector;

/// The channel key changes are announced on.
pub const CHANNEL: &str = "prax_keys";

/// A running listener; its counter moves on each change.
#[derive(Clone)]
pub struct KeyChanges {
    counter: watch::Receiver<u64>,
}

impl KeyChanges {
    /// Start listening through `connector`, on `runtime`.
    pub fn start(connector: Connector, runtime: &tokio::runtime::Handle) -> Self {
        let (sender, counter) = watch::channel(0);
        runtime.spawn(async move { listen(connector, sender).await });
        Self { counter }
    }

    /// A receiver that sees each change.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.counter.clone()
    }
}

async fn listen(connector: Connector, sender: watch::Sender<u64>) {
    let mut backoff = Duration::from_millis(200);
    // Until the server shuts down (every receiver gone).
    while !sender.is_closed() {
        match listen_once(&connector, &sender).await {
            Ok(()) => return,
            Err(problem) => {
                tracing::warn!(problem, "key-change listener disconnected; reconnecting");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = sender.closed() => return,
                }
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
}

/// Listen on one connection until it breaks (`Err`) or nobody is interested (`Ok`).
async fn listen_once(connector: &Connector, sender: &watch::Sender<u64>) -> Result<(), String> {
    let (client, mut connection) = connector
        .config
        .connect(connector.tls.clone())
        .await
        .map_err(|e| connector.unreachable(&e).to_string())?;
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    let statement = format!("LISTEN {CHANNEL}");
    let listen = client.batch_execute(&statement);
    tokio::pin!(listen);
    let mut listening = false;
    loop {
        tokio::select! {
            done = &mut listen, if !listening => {
                done.map_err(|e| e.to_string())?;
                listening = true;
                // Anything missed while disconnected is picked up by one reload.
                sender.send_modify(|n| *n += 1);
            }
            message = messages.next() => match message {
                Some(Ok(AsyncMessage::Notification(_))) => sender.send_modify(|n| *n += 1),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.to_string()),
                None => return Err("the connection closed".into()),
            },
            () = sender.closed() => return Ok(()),
        }
    }
}
