//! Replays every kept fuzz corpus entry (fuzz/corpus/<target>/) through the fuzz harness.
#![cfg(not(target_arch = "wasm32"))]

mod fuzz_harness;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("corpus entry").path();
        // A fuzzer running on this corpus replaces inputs it reduces; a vanished file is no finding.
        match std::fs::read(&path) {
            Ok(bytes) => run(&bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("{}: {e}", path.display()),
        }
        count += 1;
    }
    count
}

#[test]
fn agents_response_corpus_replays_without_a_panic() {
    assert!(replay("agents_response", fuzz_harness::agents_response) > 10);
}

#[test]
fn inputs_corpus_replays_without_a_panic() {
    assert!(replay("inputs", fuzz_harness::inputs) > 10);
}

#[test]
fn snapshot_corpus_replays_without_a_panic() {
    assert!(replay("snapshot", fuzz_harness::snapshot) >= 3);
}
