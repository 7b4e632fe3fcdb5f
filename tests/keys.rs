//! Every key type engineers have, both ways with the real OpenSSH: what `ssh-keygen -Y sign` makes
//! counts in Headroom, and what Headroom (or the ssh-agent through it) makes, `ssh-keygen -Y verify`
//! calls good. Ed25519, ECDSA P-256 and P-384, RSA (rsa-sha2-512 and rsa-sha2-256) and the hardware
//! keys `sk-ssh-ed25519@openssh.com` and `sk-ecdsa-sha2-nistp256@openssh.com`.
//!
//! A hardware key cannot be made without the hardware, but verifying its signature needs only its
//! public key: the sk- signatures here are built in software exactly as PROTOCOL.u2f and
//! PROTOCOL.sshsig spell them (the authenticator signs SHA-256(application) ‖ flags ‖ counter ‖
//! SHA-256(message)), from an ordinary key's secret, and the real `ssh-keygen -Y verify` is the
//! judge that they are what a token makes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

use headroom::approval::key_file::read_private_key;
use headroom::approval::proposal::{NAMESPACE, Proposal};
use headroom::approval::signers::parse_signers;
use headroom::model::time::Timestamp;
use headroom::model::workspace::SIGNERS_FILE;
use signature::{SignatureEncoding, Signer};
use ssh_key::public::{KeyData, SkEcdsaSha2NistP256, SkEd25519};
use ssh_key::sha2::{Digest, Sha256};
use ssh_key::{Algorithm, HashAlg, LineEnding, PublicKey, SshSig};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn proposal() -> Proposal {
    Proposal {
        id: "raise-auth".into(),
        title: "Raise auth".into(),
        author: "alice@example.com".into(),
        created: Some(Timestamp::parse("2026-11-25T10:00:00Z").unwrap()),
        base: "sha256:00".into(),
        rationale: "measured".into(),
        ..Proposal::default()
    }
}

fn now() -> Timestamp {
    Timestamp::parse("2026-11-26T10:00:00Z").unwrap()
}

/// A key made by the real `ssh-keygen -t TYPE [-b BITS]`.
fn keygen(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let file = dir.join(name);
    let status = Command::new("ssh-keygen").args(["-q", "-N", "", "-C", name]).args(args).arg("-f").arg(&file).status().unwrap();
    assert!(status.success());
    file
}

/// The ECDSA curves, as SEC1 names them (the DER of their OID) and how wide their scalar is.
#[derive(Clone, Copy)]
enum Curve {
    P256,
    P384,
}

impl Curve {
    fn oid(self) -> &'static [u8] {
        match self {
            Curve::P256 => &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
            Curve::P384 => &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22],
        }
    }

    fn width(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
        }
    }
}

/// An ECDSA key of `curve` with the private scalar made of `leading` then bytes of SHA-512(`name`)
/// (`top_bit`: the first of those with its top bit set, or clear), written by the real
/// `ssh-keygen`: the scalar goes in an SEC1 `EC PRIVATE KEY` without its public point, which
/// `ssh-keygen -p` reads (computing the point), writes again in OpenSSH's own format, as it writes
/// every key it makes; `ssh-keygen -y` writes its public key. So a key whose scalar OpenSSH writes
/// short is had at once, rather than 1 time in 512 from `ssh-keygen -t ecdsa`. Returns the key
/// file and how many bytes OpenSSH wrote the scalar in (its mpint, read from the file).
fn keygen_with_scalar(dir: &Path, name: &str, curve: Curve, leading: &[u8], top_bit: bool) -> (PathBuf, usize) {
    let mut scalar = leading.to_vec();
    scalar.extend(&ssh_key::sha2::Sha512::digest(name.as_bytes())[..curve.width() - leading.len()]);
    scalar[leading.len()] = if top_bit { scalar[leading.len()] | 0x80 } else { scalar[leading.len()] & 0x7f };
    // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] parameters (the curve) }
    let mut body = vec![0x02, 0x01, 0x01, 0x04, u8::try_from(scalar.len()).unwrap()];
    body.extend(&scalar);
    body.extend([0xa0, u8::try_from(curve.oid().len()).unwrap()]);
    body.extend(curve.oid());
    let mut der = vec![0x30, u8::try_from(body.len()).unwrap()];
    der.extend(body);
    let file = dir.join(name);
    std::fs::write(&file, format!("-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\n", base64(&der))).unwrap();
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let out = Command::new("ssh-keygen").args(["-q", "-p", "-P", "", "-N", "", "-C", name, "-f"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "ssh-keygen -p: {}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new("ssh-keygen").arg("-y").arg("-f").arg(&file).output().unwrap();
    assert!(out.status.success(), "ssh-keygen -y: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(file.with_extension("pub"), &out.stdout).unwrap();

    // The scalar as OpenSSH writes it, an mpint: leading zero bytes dropped, one zero byte before
    // a top bit that is set; and its length before it.
    let text = std::fs::read(&file).unwrap();
    let (label, blob) = pem_rfc7468::Decoder::new_wrapped(&text, 70)
        .and_then(|mut d| {
            let mut blob = Vec::new();
            d.decode_to_end(&mut blob)?;
            Ok((d.type_label().to_owned(), blob))
        })
        .unwrap();
    assert_eq!(label, "OPENSSH PRIVATE KEY");
    let digits = &scalar[scalar.iter().take_while(|b| **b == 0).count()..];
    let mut mpint = Vec::new();
    ssh_string(&mut mpint, &[&[0u8][..usize::from(digits[0] >= 0x80)], digits].concat());
    assert!(blob.windows(mpint.len()).any(|w| w == mpint), "{name}: OpenSSH wrote the scalar as an mpint");
    (file, mpint.len() - 4)
}

/// The keys whose scalar OpenSSH writes in fewer bytes than the curve is wide (ssh-key 0.6 alone
/// reads none of them: `Encoding(Length)`), and one at full width that starts with a zero byte.
fn short_scalar_keys(dir: &Path) -> Vec<(String, PathBuf)> {
    let keys = [
        ("p256-31", Curve::P256, &[0u8][..], false, 31),
        ("p256-30", Curve::P256, &[0, 0], false, 30),
        ("p256-31-signed", Curve::P256, &[0, 0], true, 31),
        ("p256-zero-first", Curve::P256, &[0], true, 32),
        ("p384-47", Curve::P384, &[0], false, 47),
        ("p384-45", Curve::P384, &[0, 0, 0], false, 45),
    ];
    keys.iter()
        .map(|&(name, curve, leading, top_bit, written)| {
            let (file, len) = keygen_with_scalar(dir, name, curve, leading, top_bit);
            assert_eq!(len, written, "{name}: the bytes OpenSSH wrote the scalar in");
            (name.to_owned(), file)
        })
        .collect()
}

/// Whether the real `ssh-keygen -Y verify` calls `armored` a good signature of `message` by
/// `principal` under `allowed`, and what it said.
fn openssh_verifies(dir: &Path, allowed: &str, principal: &str, armored: &str, message: &[u8]) -> (bool, String) {
    let (allowed_file, sig) = (dir.join("allowed_signers_for_ssh_keygen"), dir.join("checked.sig"));
    std::fs::write(&allowed_file, allowed).unwrap();
    std::fs::write(&sig, armored).unwrap();
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(&allowed_file)
        .args(["-I", principal, "-n", NAMESPACE, "-s"])
        .arg(&sig)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), message).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// What the real `ssh-keygen -Y sign -n headroom-proposal` makes of `message` with `key`.
fn openssh_signs(key: &Path, message: &[u8]) -> String {
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", NAMESPACE, "-f"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), message).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Whether Headroom counts `armored` as `principal`'s signature of `p` under `allowed`, or why not.
fn headroom_counts(p: &Proposal, allowed: &str, principal: &str, armored: &str) -> Result<(), String> {
    let signers = parse_signers(SIGNERS_FILE, allowed).map_err(|e| e[0].to_string())?;
    let mut p = p.clone();
    p.add_signature(principal, armored).map_err(|e| e.to_string())?;
    p.check_signatures(&signers, now()).remove(0).outcome.map_err(|e| e.to_string())
}

fn public_line(key: &Path) -> String {
    std::fs::read_to_string(key.with_extension("pub")).unwrap().trim().to_owned()
}

#[test]
fn ed25519_ecdsa_p256_and_p384_keys_sign_in_headroom_and_in_ssh_keygen_and_each_verifies_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let mut keys: Vec<(String, PathBuf)> =
        [("ed", &["-t", "ed25519"][..]), ("p256", &["-t", "ecdsa", "-b", "256"]), ("p384", &["-t", "ecdsa", "-b", "384"])]
            .iter()
            .map(|(name, args)| ((*name).to_owned(), keygen(dir.path(), name, args)))
            .collect();
    keys.extend(short_scalar_keys(dir.path()));
    for (name, key) in &keys {
        let principal = format!("{name}@example.com");
        let allowed = format!("{principal} {}\n", public_line(key));
        let p = proposal();
        let message = p.canonical();

        let by_openssh = openssh_signs(key, &message);
        assert_eq!(headroom_counts(&p, &allowed, &principal, &by_openssh), Ok(()), "{name}: ssh-keygen's signature");

        let mut signed = p.clone();
        signed.sign(&principal, &read_private_key(key).unwrap()).unwrap();
        let (good, said) = openssh_verifies(dir.path(), &allowed, &principal, &signed.signatures[0].armored, &message);
        assert!(good, "{name}: ssh-keygen on Headroom's signature: {said}");

        // Another proposal's bytes: both refuse.
        let other = Proposal { title: "Raise auth more".into(), ..p.clone() };
        assert!(headroom_counts(&other, &allowed, &principal, &by_openssh).is_err(), "{name}");
        assert!(!openssh_verifies(dir.path(), &allowed, &principal, &by_openssh, &other.canonical()).0, "{name}");
    }
}

#[test]
fn keys_whose_scalar_openssh_wrote_short_sign_with_headroom_sign_and_the_loosening_applies_and_verifies() {
    // ssh-key 0.6 reads none of these keys (`Encoding(Length)`), so `headroom sign --key` refused
    // about 1 ECDSA key in 512 that ssh-keygen makes.
    let dir = tempfile::tempdir().unwrap();
    let keys = short_scalar_keys(dir.path());
    let ws = dir.path().join("budgets");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("services.yaml"), "budgets:\n  auth:\n    unit: ms\n    limit: 30\n").unwrap();
    let principal = |name: &str| format!("{name}@example.com");
    // The author, then one person of each role, each with a key OpenSSH wrote short but one.
    let [author, technical, business, stakeholder] = ["p256-30", "p256-31", "p384-47", "p256-31-signed"];
    std::fs::write(
        ws.join("approval.yaml"),
        format!(
            "roles:\n  technical: [{}, {}]\n  business: [{}]\n  stakeholder: [{}]\n",
            principal(author),
            principal(technical),
            principal(business),
            principal(stakeholder)
        ),
    )
    .unwrap();
    let allowed: String = keys.iter().map(|(name, key)| format!("{} {}", principal(name), public_line(key)) + "\n").collect();
    std::fs::write(ws.join(SIGNERS_FILE), &allowed).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_headroom")).args(args).output().unwrap();
        (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    };
    let w = ws.to_str().unwrap();
    let (code, out) = run(&["ledger", "start", w]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&[
        "propose",
        "--workspace",
        w,
        "--id",
        "raise-auth",
        "--title",
        "Raise auth",
        "--author",
        &principal(author),
        "--set",
        "auth=32",
        "--rationale",
        "TLS upgrade",
    ]);
    assert_eq!(code, Some(0), "{out}");
    let (_, canonical) = run(&["proposals", w, "--canonical", "raise-auth"]);
    for name in [author, technical, business, stakeholder] {
        let key = &keys.iter().find(|(n, _)| n == name).unwrap().1;
        let (code, out) = run(&["sign", "raise-auth", "--workspace", w, "--principal", &principal(name), "--key", key.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{name}: {out}");
        // What Headroom wrote, the real ssh-keygen calls good.
        let written = headroom::approval::ledger::signature_path(&ws, "raise-auth", &principal(name));
        let armored = std::fs::read_to_string(&written).unwrap();
        let (good, said) = openssh_verifies(dir.path(), &allowed, &principal(name), &armored, canonical.as_bytes());
        assert!(good, "{name}: ssh-keygen on the signature of headroom sign --key: {said}");
    }
    let (code, out) = run(&["apply", "raise-auth", "--workspace", w]);
    assert_eq!(code, Some(0), "{out}");
    assert!(std::fs::read_to_string(ws.join("services.yaml")).unwrap().contains("limit: 32"));
    let (code, out) = run(&["verify", w]);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn rsa_signatures_of_ssh_keygen_the_agent_and_rsa_sha2_256_verify_and_headroom_never_signs_with_rsa_itself() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "rsa", &["-t", "rsa", "-b", "2048"]);
    let principal = "rsa@example.com";
    let allowed = format!("{principal} {}\n", public_line(&key));
    let p = proposal();
    let message = p.canonical();

    // ssh-keygen signs rsa-sha2-512.
    let by_openssh = openssh_signs(&key, &message);
    assert_eq!(headroom_counts(&p, &allowed, principal, &by_openssh), Ok(()));
    let other = Proposal { title: "other".into(), ..p.clone() };
    assert!(headroom_counts(&other, &allowed, principal, &by_openssh).is_err());

    // rsa-sha2-256, which other SSHSIG signers make.
    let private = read_private_key(&key).unwrap();
    // (ssh-key 0.6.7's own conversion passes `p` twice, so the key is rebuilt from its parts.)
    let pair = private.key_data().rsa().unwrap();
    let big = |m: &ssh_key::Mpint| rsa::BigUint::from_bytes_be(m.as_positive_bytes().unwrap());
    let rsa_key = rsa::RsaPrivateKey::from_components(
        big(&pair.public.n),
        big(&pair.public.e),
        big(&pair.private.d),
        vec![big(&pair.private.p), big(&pair.private.q)],
    )
    .unwrap();
    let signed_data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, &message).unwrap();
    let raw = rsa::pkcs1v15::SigningKey::<Sha256>::new(rsa_key).sign(&signed_data).to_vec();
    let signature = ssh_key::Signature::new(Algorithm::Rsa { hash: Some(HashAlg::Sha256) }, raw).unwrap();
    let armored = SshSig::new(private.public_key().key_data().clone(), NAMESPACE, HashAlg::Sha512, signature)
        .unwrap()
        .to_pem(LineEnding::LF)
        .unwrap();
    let (good, said) = openssh_verifies(dir.path(), &allowed, principal, &armored, &message);
    assert!(good, "ssh-keygen on rsa-sha2-256: {said}");
    assert_eq!(headroom_counts(&p, &allowed, principal, &armored), Ok(()));

    // Headroom does not sign with RSA itself (the rsa crate's private-key operations are not
    // constant-time); the agent does, with rsa-sha2-512.
    let e = p.clone().sign(principal, &private).unwrap_err().to_string();
    assert!(e.contains("does not sign with RSA keys itself") && e.contains("--agent"), "{e}");
    let socket = dir.path().join("agent.sock");
    let mut agent = Command::new("ssh-agent").arg("-D").arg("-a").arg(&socket).stdout(Stdio::null()).spawn().expect("ssh-agent runs");
    for _ in 0..100 {
        if socket.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let added = Command::new("ssh-add").arg(&key).env("SSH_AUTH_SOCK", &socket).output().unwrap();
    let by_agent = headroom::approval::agent::sign_with_agent(&socket, private.public_key(), &message);
    let _ = agent.kill();
    let _ = agent.wait();
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let by_agent = by_agent.unwrap();
    let (good, said) = openssh_verifies(dir.path(), &allowed, principal, &by_agent, &message);
    assert!(good, "ssh-keygen on the agent's RSA signature through Headroom: {said}");
    assert_eq!(headroom_counts(&p, &allowed, principal, &by_agent), Ok(()));
}

/// An SSH `string`: its length (big-endian u32), then its bytes.
fn ssh_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend(u32::try_from(bytes.len()).unwrap().to_be_bytes());
    out.extend(bytes);
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() { char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]) } else { '=' });
        }
    }
    out
}

/// An `sk-` signature of `message` as a hardware token makes it, from the secret of the ordinary
/// key `key` (ed25519 or ECDSA P-256), with the authenticator's `flags`, encoded byte by byte as
/// PROTOCOL.sshsig and PROTOCOL.u2f spell it (ssh-key 0.6.7 encodes sk-ecdsa signatures without
/// the inner string, so it is not used to write them). Returns the sk- public key (an
/// `allowed_signers` key) and the armored signature.
fn hardware_signature(key: &Path, message: &[u8], flags: u8) -> (String, String) {
    const APPLICATION: &str = "ssh:";
    let counter: u32 = 7;
    let private = read_private_key(key).unwrap();
    let signed_data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, message).unwrap();
    // What the authenticator signs: SHA-256(application) ‖ flags ‖ counter ‖ SHA-256(message).
    let mut authenticated = Sha256::digest(APPLICATION).to_vec();
    authenticated.push(flags);
    authenticated.extend(counter.to_be_bytes());
    authenticated.extend(Sha256::digest(&signed_data));
    let (public, raw) = match private.key_data() {
        ssh_key::private::KeypairData::Ed25519(k) => {
            (KeyData::SkEd25519(SkEd25519::new(k.public, APPLICATION)), k.try_sign(&authenticated).unwrap())
        }
        ssh_key::private::KeypairData::Ecdsa(pair @ ssh_key::private::EcdsaKeypair::NistP256 { public, .. }) => {
            (KeyData::SkEcdsaSha2NistP256(SkEcdsaSha2NistP256::new(*public, APPLICATION)), pair.try_sign(&authenticated).unwrap())
        }
        other => panic!("no hardware key type for {:?}", other.algorithm()),
    };
    // The signature: string algorithm, string (the 64 bytes, or mpint r ‖ mpint s), byte flags, uint32 counter.
    let mut signature = Vec::new();
    ssh_string(&mut signature, public.algorithm().as_str().as_bytes());
    ssh_string(&mut signature, raw.as_bytes());
    signature.push(flags);
    signature.extend(counter.to_be_bytes());
    // The SSHSIG blob: magic, version 1, public key, namespace, reserved, hash, signature.
    let public_key = PublicKey::from(public);
    let mut blob = b"SSHSIG".to_vec();
    blob.extend(1u32.to_be_bytes());
    ssh_string(&mut blob, &public_key.to_bytes().unwrap());
    ssh_string(&mut blob, NAMESPACE.as_bytes());
    ssh_string(&mut blob, b"");
    ssh_string(&mut blob, b"sha512");
    ssh_string(&mut blob, &signature);
    let body: Vec<String> = base64(&blob).as_bytes().chunks(70).map(|l| String::from_utf8(l.to_vec()).unwrap()).collect();
    let armored = format!("-----BEGIN SSH SIGNATURE-----\n{}\n-----END SSH SIGNATURE-----\n", body.join("\n"));
    (public_key.to_openssh().unwrap(), armored)
}

#[test]
fn hardware_sk_signatures_that_ssh_keygen_calls_good_count_and_one_made_without_a_touch_does_not() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args, key_type) in [
        ("sk-ed", &["-t", "ed25519"][..], "sk-ssh-ed25519@openssh.com"),
        ("sk-p256", &["-t", "ecdsa", "-b", "256"], "sk-ecdsa-sha2-nistp256@openssh.com"),
    ] {
        let key = keygen(dir.path(), name, args);
        let principal = format!("{name}@example.com");
        let p = proposal();
        let message = p.canonical();
        let (public, touched) = hardware_signature(&key, &message, 0x01);
        assert!(public.starts_with(key_type), "{public}");
        let allowed = format!("{principal} {public}\n");
        let (good, said) = openssh_verifies(dir.path(), &allowed, &principal, &touched, &message);
        assert!(good, "{name}: ssh-keygen: {said}");
        assert_eq!(headroom_counts(&p, &allowed, &principal, &touched), Ok(()), "{name}");
        let other = Proposal { title: "other".into(), ..p.clone() };
        assert!(headroom_counts(&other, &allowed, &principal, &touched).is_err(), "{name}");

        // Without the user-presence flag: `ssh-keygen -Y verify` (9.2) still calls it good, but a
        // token that signs untouched proves nobody was there, so Headroom (as sshd does for these
        // keys by default) refuses it.
        let (_, untouched) = hardware_signature(&key, &message, 0x00);
        let (good, said) = openssh_verifies(dir.path(), &allowed, &principal, &untouched, &message);
        assert!(good, "{name}: the untouched signature is well made: {said}");
        let e = headroom_counts(&p, &allowed, &principal, &untouched).unwrap_err();
        assert!(e.contains("without a touch"), "{name}: {e}");
    }
}

#[test]
fn a_key_headroom_cannot_verify_is_refused_by_validate_and_ledger_start_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("budgets");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("services.yaml"), "budgets:\n  auth:\n    unit: ms\n    limit: 30\n").unwrap();
    let (ed, p521) = (keygen(dir.path(), "ed", &["-t", "ed25519"]), keygen(dir.path(), "p521", &["-t", "ecdsa", "-b", "521"]));
    std::fs::write(ws.join(SIGNERS_FILE), format!("ed@example.com {}\np521@example.com {}\n", public_line(&ed), public_line(&p521)))
        .unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_headroom")).args(args).output().unwrap();
        (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    };
    let (code, out) = run(&["validate", ws.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("allowed_signers:2:1") && out.contains("ecdsa-sha2-nistp521 keys are not supported"), "{out}");
    let (code, out) = run(&["ledger", "start", ws.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("cannot start from signers or a policy that do not read: allowed_signers:2:1"), "{out}");
    assert!(!ws.join("ledger").exists());
}

#[test]
fn one_secret_listed_twice_under_another_key_type_or_spelling_is_one_key_and_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let (ed, p256) = (keygen(dir.path(), "ed", &["-t", "ed25519"]), keygen(dir.path(), "p256", &["-t", "ecdsa", "-b", "256"]));
    let p = proposal();
    let message = p.canonical();
    for key in [&ed, &p256] {
        // alice's ordinary key, and the same public bytes as a hardware key for "mallory": alice's
        // secret alone makes mallory's signatures, which the real ssh-keygen calls good.
        let (sk_public, sk_signature) = hardware_signature(key, &message, 0x01);
        let allowed = format!("alice@example.com {}\nmallory@example.com {sk_public}\n", public_line(key));
        let (good, said) = openssh_verifies(dir.path(), &allowed, "mallory@example.com", &sk_signature, &message);
        assert!(good, "ssh-keygen takes alice's secret for mallory's: {said}");
        let e = parse_signers(SIGNERS_FILE, &allowed).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].pos.line, e[0].field.as_str()), (2, "key"));
        assert!(e[0].message.contains("already listed on line 1 (for alice@example.com)"), "{}", e[0]);
        assert!(headroom_counts(&p, &allowed, "mallory@example.com", &sk_signature).is_err());
    }

    // The same ECDSA point written compressed: another spelling of alice's key, which OpenSSH
    // does not read at all.
    let public = PublicKey::read_openssh_file(&p256.with_extension("pub")).unwrap();
    // SEC1: 04 ‖ X ‖ Y uncompressed; 02 or 03 (Y's parity) ‖ X compressed.
    let point = public.key_data().ecdsa().unwrap().as_sec1_bytes();
    let mut compressed = vec![2 + (point[64] & 1)];
    compressed.extend(&point[1..33]);
    let compressed =
        PublicKey::from(KeyData::Ecdsa(ssh_key::public::EcdsaPublicKey::from_sec1_bytes(&compressed).unwrap())).to_openssh().unwrap();
    let allowed = format!("alice@example.com {}\nmallory@example.com {compressed}\n", public_line(&p256));
    let (good, _) = openssh_verifies(dir.path(), &allowed, "mallory@example.com", &openssh_signs(&p256, &message), &message);
    assert!(!good, "ssh-keygen reads no compressed point");
    let e = parse_signers(SIGNERS_FILE, &allowed).unwrap_err();
    assert_eq!(e[0].pos.line, 2);
    assert!(e[0].message.contains("a compressed ECDSA point"), "{}", e[0]);

    // An RSA modulus under another exponent: whoever factored it signs for both.
    let rsa = keygen(dir.path(), "rsa", &["-t", "rsa", "-b", "2048"]);
    let public = PublicKey::read_openssh_file(&rsa.with_extension("pub")).unwrap();
    let n = public.key_data().rsa().unwrap().n.clone();
    let other = ssh_key::public::RsaPublicKey { e: ssh_key::Mpint::from_positive_bytes(&[1, 0, 3]).unwrap(), n };
    let allowed = format!(
        "alice@example.com {}\nmallory@example.com {}\n",
        public_line(&rsa),
        PublicKey::from(KeyData::Rsa(other)).to_openssh().unwrap()
    );
    let e = parse_signers(SIGNERS_FILE, &allowed).unwrap_err();
    assert_eq!(e[0].pos.line, 2);
    assert!(e[0].message.contains("already listed on line 1"), "{}", e[0]);

    // validate says so, naming the file and line.
    let ws = dir.path().join("budgets");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("services.yaml"), "budgets:\n  auth:\n    unit: ms\n    limit: 30\n").unwrap();
    let (sk_public, _) = hardware_signature(&ed, &message, 0x01);
    std::fs::write(ws.join(SIGNERS_FILE), format!("alice@example.com {}\nmallory@example.com {sk_public}\n", public_line(&ed))).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_headroom")).args(["validate", ws.to_str().unwrap()]).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("allowed_signers:2:1") && said.contains("already listed on line 1"), "{said}");
}
