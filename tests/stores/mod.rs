//! Real Prometheus-compatible stores on loopback for the tests: Prometheus (Debian's `prometheus`
//! package: the server, and `promtool` to backfill its TSDB) and VictoriaMetrics (Debian's
//! `victoria-metrics`), each over a temporary folder, stopped when dropped. A missing binary fails
//! the test with the package to install.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // a test that cannot unwrap has failed; not every test uses every helper

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Runs `promtool` in `dir`: whether it succeeded, and what it said.
pub fn promtool(args: &[&str], dir: &Path) -> (bool, String) {
    let out = Command::new("promtool").args(args).current_dir(dir).output().expect("promtool is installed (apt-get install prometheus)");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// A store's server process on loopback, stopped when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Prometheus's query log (every query with its parameters), where the server keeps one.
    pub query_log: Option<PathBuf>,
}

impl Server {
    /// Stops the server now (the store is down from here on).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One HTTP/1.1 request on loopback: the whole answer where its status is 2xx.
fn request(method: &str, url: &str, body: &[u8]) -> Option<String> {
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).ok()?;
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).ok()?;
    stream.write_all(body).ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    (text.starts_with("HTTP/1.1 2")).then_some(text)
}

/// A GET: the answer where its status is 2xx.
pub fn get(url: &str) -> Option<String> {
    request("GET", url, b"")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_ready(server: Server, path: &str, what: &str) -> Server {
    for _ in 0..300 {
        if get(&format!("{}{path}", server.url)).is_some() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not get ready");
}

/// Backfills `openmetrics` with promtool and serves it with Prometheus, which logs every query
/// to [`Server::query_log`].
pub fn server(dir: &Path, openmetrics: &str) -> Server {
    let input = dir.join("input.om");
    std::fs::write(&input, openmetrics).unwrap();
    let data = dir.join("data");
    let (ok, text) = promtool(&["tsdb", "create-blocks-from", "openmetrics", input.to_str().unwrap(), data.to_str().unwrap()], dir);
    assert!(ok, "{text}");
    let config = dir.join("prometheus.yml");
    let query_log = dir.join("query.log");
    std::fs::write(&config, format!("global:\n  scrape_interval: 1m\n  query_log_file: {}\n", query_log.display())).unwrap();
    let port = free_port();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--storage.tsdb.retention.time=10y")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus is installed (apt-get install prometheus)");
    wait_ready(Server { child, url: format!("http://127.0.0.1:{port}"), query_log: Some(query_log) }, "/-/ready", "prometheus")
}

/// A VictoriaMetrics server over a temporary folder, holding `samples` (Prometheus's text
/// exposition format with millisecond timestamps, `name{labels} value ms` a line) imported through
/// its `/api/v1/import/prometheus` and flushed so queries see them.
pub fn victoria_metrics(dir: &Path, samples: &str) -> Server {
    let port = free_port();
    let child = Command::new("victoria-metrics")
        .arg(format!("-storageDataPath={}", dir.join("vm-data").display()))
        .arg(format!("-httpListenAddr=127.0.0.1:{port}"))
        .arg("-retentionPeriod=100y")
        // Every query reads the storage: no answer cached from an earlier one.
        .arg("-search.disableCache")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("victoria-metrics is installed (apt-get install victoria-metrics)");
    let server = wait_ready(Server { child, url: format!("http://127.0.0.1:{port}"), query_log: None }, "/health", "victoria-metrics");
    assert!(request("POST", &format!("{}/api/v1/import/prometheus", server.url), samples.as_bytes()).is_some(), "the import was refused");
    assert!(get(&format!("{}/internal/force_flush", server.url)).is_some(), "the flush was refused");
    server
}
