//! `headroom report` in a real headless Chromium (Debian's `chromium`): every page of the site
//! loads from `file://` without a console message, every link resolves, every plot renders (its
//! pixels hold the limit's ink and the runs' blue), and a page prints.
//!
//! How it works, without the DevTools protocol: a harness page next to the site loads each page
//! in an iframe (Chromium's `--allow-file-access-from-files` lets one `file://` page read
//! another), follows the site's own links breadth-first, draws each image into a canvas and
//! counts its colours, and writes what it found as JSON into its own DOM, which `--dump-dom`
//! prints. Console messages of any page go to standard error (`--enable-logging=stderr`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const HARNESS: &str = r#"<!doctype html>
<html><body><pre id="out">pending</pre><iframe id="frame" width="1100" height="900"></iframe>
<script>
const frame = document.getElementById('frame');
const load = url => new Promise(done => { frame.onload = () => done(); frame.src = url; });
const loaded = img => img.complete ? Promise.resolve() : new Promise(done => { img.onload = img.onerror = done; });
// Pixels of an image near a colour (r, g, b), after drawing it at its own size.
function near(img, colours) {
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const context = canvas.getContext('2d');
  context.drawImage(img, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  return colours.map(([r, g, b]) => {
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24 && Math.abs(data[i + 2] - b) < 24) n++;
    }
    return n;
  });
}
(async () => {
  const pages = {};
  const queue = [new URL('site/index.html', location.href).href];
  while (queue.length) {
    const url = queue.shift();
    if (url in pages) continue;
    const page = pages[url] = { title: null, css: 0, images: [], links: [], error: null };
    try {
      await load(url);
      const doc = frame.contentDocument;
      page.title = doc.title;
      page.css = [...doc.styleSheets].reduce((n, s) => n + s.cssRules.length, 0);
      for (const img of doc.images) {
        await loaded(img);
        const ok = img.complete && img.naturalWidth > 0;
        page.images.push({ src: img.src, ok, width: img.naturalWidth, red_blue: ok ? near(img, [[0x20, 0x20, 0x20], [0x4a, 0x90, 0xe2]]) : [0, 0] });
      }
      for (const a of doc.querySelectorAll('a[href]')) {
        page.links.push(a.href);
        const target = a.href.split('#')[0];
        if (target.startsWith('file:') && target.endsWith('.html')) queue.push(target);
      }
    } catch (e) {
      page.error = String(e);
    }
  }
  document.getElementById('out').textContent = JSON.stringify(pages);
})();
</script></body></html>
"#;

fn chromium() -> String {
    std::env::var("CHROME_PATH").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| "chromium".to_owned())
}

fn headless() -> Command {
    let mut command = Command::new(chromium());
    // No sandbox: CI containers run as root. No GPU: software rendering, the same everywhere.
    command.args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions"]);
    command
}

/// Writes the report of a copy of the bundled workspace that names its repository.
fn report(dir: &Path) -> PathBuf {
    let ws = dir.join("ws");
    common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("budgets"), &ws);
    let config = ws.join("headroom.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}repository: https://github.com/org/repo\n")).unwrap();
    let site = dir.join("site");
    let (code, out) = common::headroom(&["report", ws.to_str().unwrap(), "--output", site.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("budgets) to"), "{out}");
    site
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

#[test]
fn every_page_of_the_report_loads_in_chromium_with_its_links_resolved_and_its_plots_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let site = report(dir.path());
    std::fs::write(dir.path().join("harness.html"), HARNESS).unwrap();
    let url = format!("file://{}", dir.path().join("harness.html").display());
    let run = headless()
        .args(["--allow-file-access-from-files", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=60000", "--dump-dom"])
        .arg(&url)
        .output()
        .expect("chromium is installed (apt-get install chromium)");
    let dom = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    // Not one console message from any page: no script errors, no resource that failed to load.
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "{console:#?}");
    let json = dom.split("<pre id=\"out\">").nth(1).and_then(|rest| rest.split("</pre>").next()).expect("the harness wrote its findings");
    let pages: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&unescape(json)).unwrap_or_else(|e| panic!("{e}: the harness did not finish: {json}"));

    // Every page of the site is reachable from the overview, and every one loaded with its style.
    let mut html = Vec::new();
    files(&site, "html", &mut html);
    assert!(html.len() > 40, "{} pages", html.len());
    for path in &html {
        let url = format!("file://{}", path.display());
        let page = pages.get(&url).unwrap_or_else(|| panic!("{url} is not linked from the overview"));
        assert!(page["error"].is_null(), "{url}: {}", page["error"]);
        assert!(page["title"].as_str().is_some_and(|t| !t.is_empty()), "{url} has no title");
        assert!(page["css"].as_u64().unwrap() > 10, "{url}: the stylesheet did not load");
    }
    assert_eq!(pages.len(), html.len(), "a link leads to a page outside the site: {:?}", pages.keys().collect::<Vec<_>>());

    let mut images = 0;
    let mut commits = 0;
    for (url, page) in &pages {
        for image in page["images"].as_array().unwrap() {
            images += 1;
            assert_eq!(image["ok"], true, "{url}: {image}");
            let [red, blue] = [0, 1].map(|k| image["red_blue"][k].as_u64().unwrap());
            assert!(red > 500, "{url}: the limit is not drawn in ink: {image}");
            let svg = std::fs::read_to_string(image["src"].as_str().unwrap().strip_prefix("file://").unwrap()).unwrap();
            if svg.contains("class=\"runs\"") {
                assert!(blue > 100, "{url}: the runs are not drawn in blue: {image}");
            }
        }
        for link in page["links"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()) {
            if let Some(path) = link.strip_prefix("file://") {
                let path = path.split('#').next().unwrap();
                assert!(Path::new(path).exists(), "{url} links to {link}, which is not there");
            } else {
                assert!(
                    link.starts_with("https://github.com/org/repo/commit/") || link.starts_with("https://github.com/org/repo/compare/"),
                    "{url} links outside the site to {link}"
                );
                commits += 1;
            }
        }
    }
    let mut svgs = Vec::new();
    files(&site, "svg", &mut svgs);
    assert_eq!(images, svgs.len(), "every plot is on a page");
    assert!(commits > 100, "{commits} links to commits");
}

#[test]
fn a_budget_page_prints_to_pdf_with_its_plot() {
    let dir = tempfile::tempdir().unwrap();
    let site = report(dir.path());
    let pdf = dir.path().join("auth.pdf");
    let run = headless()
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(format!("file://{}", site.join("budget/services.auth.html").display()))
        .output()
        .expect("chromium is installed (apt-get install chromium)");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    // The plot is vector graphics in the PDF, not a blank box: far more than a page of text alone.
    assert!(bytes.len() > 20_000, "{} bytes", bytes.len());
}

#[test]
fn a_budget_removed_since_the_last_report_leaves_no_page_behind() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("api.yaml"), "budgets:\n  api: {unit: ms, limit: 5}\n  web: {unit: ms, limit: 9}\n").unwrap();
    let site = dir.path().join("site");
    let report = || common::headroom(&["report", ws.to_str().unwrap(), "--output", site.to_str().unwrap()]);
    assert_eq!(report().0, 0);
    assert!(site.join("budget/web.html").exists() && site.join("budget/web.svg").exists());
    std::fs::write(ws.join("api.yaml"), "budgets:\n  api: {unit: ms, limit: 5}\n").unwrap();
    let (code, out) = report();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(1 budget)"), "{out}");
    assert!(!site.join("budget/web.html").exists() && !site.join("budget/web.svg").exists());
    assert!(site.join("budget/api.html").exists());
}

#[test]
fn a_workspace_with_a_bad_file_writes_no_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), "budgets:\n  api: {unit: ms, limt: 5}\n").unwrap();
    let site = dir.path().join("site");
    let (code, out) = common::headroom(&["report", dir.path().to_str().unwrap(), "--output", site.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("api.yaml:2") && out.contains("no report was written"), "{out}");
    assert!(!site.exists());
}
