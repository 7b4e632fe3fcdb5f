//! Rewrites the example workspace's history, `budgets/history/ci.jsonl`, from the deterministic
//! generator in `headroom::example`. Run it after changing the bundled budgets:
//! `cargo run --example generate_history`.

use std::path::Path;

fn main() -> anyhow::Result<()> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("budgets/history/ci.jsonl");
    headroom::model::disk::write_atomic(&path, headroom::example::generate_history().as_bytes())?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
