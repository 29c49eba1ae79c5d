//! A webhook receiver in the test process: a plain HTTP/1.1 listener on a loopback port that
//! records every request (headers and body) and answers with the statuses it is told, in turn
//! (the last one repeated).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// A request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The headers as the `standardwebhooks` crate takes them.
    pub fn header_map(&self) -> ureq::http::HeaderMap {
        let mut map = ureq::http::HeaderMap::new();
        for (n, v) in &self.headers {
            map.append(
                ureq::http::HeaderName::from_bytes(n.as_bytes()).expect("name"),
                ureq::http::HeaderValue::from_str(v).expect("value"),
            );
        }
        map
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// The receiver; it stops listening when the test process ends.
pub struct Receiver {
    pub url: String,
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<Vec<u16>>>,
}

impl Receiver {
    /// Listens on a free loopback port, answering `answers` in turn (then the last again).
    pub fn start(answers: &[u16]) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let queue = Arc::new(Mutex::new(answers.to_vec()));
        let (log, next) = (received.clone(), queue.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                    if let Some((n, v)) = h.trim_end().split_once(':') {
                        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
                    }
                }
                let length: usize = headers
                    .iter()
                    .find(|(n, _)| n == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0u8; length];
                if reader.read_exact(&mut body).is_err() {
                    continue;
                }
                log.lock().expect("log").push(Received {
                    path,
                    headers,
                    body,
                });
                let status = {
                    let mut q = next.lock().expect("answers");
                    if q.len() > 1 {
                        q.remove(0)
                    } else {
                        q.first().copied().unwrap_or(204)
                    }
                };
                // A 204 has no body.
                let answer = if status == 204 {
                    String::new()
                } else {
                    format!("answered {status}")
                };
                let mut stream = reader.into_inner();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks/sqe"),
            port,
            received,
            answers: queue,
        }
    }

    /// What it has received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("log").clone()
    }

    /// From now on answers `status`.
    pub fn answer(&self, status: u16) {
        *self.answers.lock().expect("answers") = vec![status];
    }

    /// Waits up to `seconds` for at least `n` requests.
    pub fn wait_for(&self, n: usize, seconds: u64) -> Vec<Received> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            let got = self.received();
            if got.len() >= n || std::time::Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}
