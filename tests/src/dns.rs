//! A DNS server on loopback whose answers each test decides: a name can resolve to a loopback,
//! private or metadata address, or change its answer between queries (DNS rebinding). The
//! host asks it when the test's configuration lists it in `[network] nameservers`.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{RData, Record, RecordType};

/// What a name resolves to on its `nth` query (0 first); `None` is "no such name".
pub type Answers = dyn Fn(&str, usize) -> Option<Ipv4Addr> + Send + Sync;

/// The server; it stops when dropped.
pub struct TestDns {
    /// Where it listens (UDP).
    pub address: SocketAddr,
    queries: Arc<Mutex<HashMap<String, usize>>>,
    stop: Arc<AtomicBool>,
}

impl TestDns {
    /// Answer `A` queries with `answers(name, nth)`, names without the final dot, with a TTL
    /// of 0 so that no resolver may keep an answer; other types get an empty answer.
    pub fn start(
        answers: impl Fn(&str, usize) -> Option<Ipv4Addr> + Send + Sync + 'static,
    ) -> anyhow::Result<Self> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_read_timeout(Some(Duration::from_millis(50)))?;
        let address = socket.local_addr()?;
        let queries = Arc::new(Mutex::new(HashMap::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (queries.clone(), stop.clone());
        let answers: Box<Answers> = Box::new(answers);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 1500];
            while !stopped.load(Ordering::Relaxed) {
                let Ok((length, peer)) = socket.recv_from(&mut buffer) else {
                    continue;
                };
                if let Some(reply) = answer(&buffer[..length], &*answers, &seen) {
                    let _ = socket.send_to(&reply, peer);
                }
            }
        });
        Ok(Self {
            address,
            queries,
            stop,
        })
    }

    /// The configuration that makes the host ask this server.
    pub fn config(&self) -> String {
        format!("[network]\nnameservers = [\"{}\"]\n", self.address)
    }

    /// How many `A` queries for `name` have arrived.
    pub fn queries(&self, name: &str) -> usize {
        self.queries
            .lock()
            .map(|seen| seen.get(name).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

impl Drop for TestDns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The reply to one query packet, or nothing for a packet that is not a query.
fn answer(
    packet: &[u8],
    answers: &Answers,
    seen: &Mutex<HashMap<String, usize>>,
) -> Option<Vec<u8>> {
    let query = Message::from_vec(packet).ok()?;
    if query.metadata.message_type != MessageType::Query {
        return None;
    }
    let question = query.queries.first()?.clone();
    let name = question.name().to_string();
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let mut reply = Message::response(query.metadata.id, query.metadata.op_code);
    reply.metadata.recursion_desired = query.metadata.recursion_desired;
    reply.metadata.recursion_available = true;
    reply.add_query(question.clone());
    if question.query_type() == RecordType::A {
        let nth = {
            let mut seen = seen.lock().ok()?;
            let count = seen.entry(name.clone()).or_insert(0);
            *count += 1;
            *count - 1
        };
        match answers(&name, nth) {
            Some(ip) => {
                reply.add_answer(Record::from_rdata(
                    question.name().clone(),
                    0,
                    RData::A(A(ip)),
                ));
            }
            None => reply.metadata.response_code = ResponseCode::NXDomain,
        }
    }
    reply.to_vec().ok()
}
