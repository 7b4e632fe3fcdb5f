//! The one HTTP client Headroom has: a GET over plain HTTP/1.1 on a `TcpStream`, for Prometheus's
//! API ([`super::prometheus`]). No TLS (the CLI stays free of a TLS stack): an HTTPS server is read
//! through a local proxy.

use serde_json::Value as Json;
use std::io::{Read, Write};
use std::time::Duration;

/// `text` as a URL query value: unreserved bytes kept, every other byte `%XX`.
pub(super) fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Why a GET gave no body.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// Not an `http://` URL (the URL).
    #[error("`{0}`: only http:// URLs are read (put an HTTPS Prometheus behind a local proxy)")]
    NotHttp(String),
    /// The server's name does not resolve, or no address of it accepts a connection.
    #[error("cannot reach {address}: {source}")]
    Unreachable {
        /// `host:port`.
        address: String,
        /// The system's error.
        source: std::io::Error,
    },
    /// The server's name has no address.
    #[error("cannot reach {0}: the name has no address")]
    NoAddress(String),
    /// The request could not be sent.
    #[error("cannot send the query to {address}: {source}")]
    Send {
        /// `host:port`.
        address: String,
        /// The system's error.
        source: std::io::Error,
    },
    /// No answer came (within the timeout, or the connection broke).
    #[error("no answer from {address}: {source}")]
    NoAnswer {
        /// `host:port`.
        address: String,
        /// The system's error.
        source: std::io::Error,
    },
    /// An answer that is not HTTP (`host:port`).
    #[error("{0} did not answer in HTTP")]
    NotHttpAnswer(String),
    /// An answer other than 200: the `error` of its JSON body (Prometheus explains a bad query
    /// so), else its status line.
    #[error("{0}")]
    Status(String),
}

/// A GET over plain HTTP/1.1; the body of a 200 answer. `timeout` bounds connecting, and again
/// each read and write.
pub(super) fn http_get_within(url: &str, timeout: Duration) -> Result<String, HttpError> {
    use std::net::ToSocketAddrs;
    let rest = url.strip_prefix("http://").ok_or_else(|| HttpError::NotHttp(url.to_owned()))?;
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let address = if host.contains(':') { host.to_owned() } else { format!("{host}:80") };
    let addresses: Vec<std::net::SocketAddr> =
        address.to_socket_addrs().map_err(|source| HttpError::Unreachable { address: address.clone(), source })?.collect();
    let mut last = None;
    let mut connected = None;
    for a in &addresses {
        match std::net::TcpStream::connect_timeout(a, timeout) {
            Ok(s) => {
                connected = Some(s);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let mut stream = connected.ok_or_else(|| match last {
        Some(source) => HttpError::Unreachable { address: address.clone(), source },
        None => HttpError::NoAddress(address.clone()),
    })?;
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\nConnection: close\r\nUser-Agent: headroom\r\n\r\n")
        .map_err(|source| HttpError::Send { address: address.clone(), source })?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(|source| HttpError::NoAnswer { address: address.clone(), source })?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| HttpError::NotHttpAnswer(address.clone()))?;
    let status = head.lines().next().unwrap_or("");
    let chunked =
        head.lines().any(|l| l.to_ascii_lowercase().starts_with("transfer-encoding:") && l.to_ascii_lowercase().contains("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_owned() };
    if !status.contains(" 200 ") {
        // Prometheus explains a bad query in the JSON body of a 400.
        let why = serde_json::from_str::<Json>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(Json::as_str).map(str::to_owned))
            .unwrap_or_else(|| status.to_owned());
        return Err(HttpError::Status(why));
    }
    Ok(body)
}

/// A body sent with `Transfer-Encoding: chunked`, its chunks joined.
fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_percent_encoded_and_chunked_bodies_joined() {
        assert_eq!(percent_encode("sum(rate(x[5m])) * 1000"), "sum%28rate%28x%5B5m%5D%29%29%20%2A%201000");
        assert_eq!(dechunk("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), "hello world");
    }

    #[test]
    fn an_https_url_is_refused_with_a_reason() {
        let e = http_get_within("https://prom.example.com", Duration::from_secs(1)).unwrap_err();
        assert!(matches!(e, HttpError::NotHttp(_)) && e.to_string().contains("only http://"), "{e}");
    }
}
