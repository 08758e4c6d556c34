#!/usr/bin/env bash
# Fails when the release .wasm, what a first lookup compiles of it, or the memory a sync leaves grows
# past its budget. All are deterministic for a given toolchain and Node, so this gate is fair. The
# budgets are a ratchet at what was measured on 2026-11-24 with every capability in (BENCHMARKS.md);
# the issue's target is 120 KB raw / 50 KB gzipped, not met yet: lower these as the module shrinks.
set -euo pipefail
cd "$(dirname "$0")/.."
# Raised from 196,000 / 83,500 on 2026-11-24 (fourth session) for +5 KB of correctness and secrecy:
# a resumed or incremental sync checks the stored snapshot's filters and rules and keeps its osTypes,
# and a body that spells the token only with escapes is redacted as JSON.parse would read it.
# Raised from 200,000 / 84,500 on 2026-11-24 (fifth session) for +0.3 KB: the token search anchors on
# the token's rarest byte (a JWT's first "e" made it stop all over a page: 1000 agents 15.6 -> 10.9 ms),
# and +3 KB raw / +1.7 KB gzipped: a sync reads its stored snapshots straight from text (src/stored.rs),
# not through a JSON tree (an incremental sync of 100,000 serials peaked at 96 MiB, now 39 MiB).
# Sixth session: a sync's lighter judge (src/trust.rs `failed_checks`, 18.5 -> 13.5 us of CPU per
# agent) cost +1.5 KB raw / +0.4 KB gzipped, paid for by building strings without core's generic
# `join`/`concat` (-1.6 KB / -0.5 KB); the budget did not move.
# Seventh session: +0.8 KB raw / +0.3 KB gzipped so that an incremental sync counts each agent of a
# shared serial once (entries keep the other agents' ids), and +0.5 KB / +0.3 KB so that a token
# starting inside a JSON escape is redacted with the escape (rawResponse stays JSON); +0.1 KB for
# reading only the connection properties the core reads; +0.9 KB / +0.2 KB for entries whose lists are
# boxed slices (a 20,000-agent sync leaves 8.39 MB, was 8.98 with the ids in a vector, 8.52 before).
# Eighth session: +0.1 KB for precise messages and contract: checkSerial names a serial that is not a
# string, a placeholder token refused as too short is not redacted out of the message about it, and
# the connection schema states the token's 16-character minimum. Then +0.5 KB raw / +0.25 KB gzipped so
# that trust rules refuse allow-list values SentinelOne never writes ("Windows", " macos"), which
# would fail every agent closed (a fleet locked out by a typo), and their schema says so (+0.1 KB).
# +0.1 KB: an unknown capability's error lists the capabilities. +0.1 KB: a malformed response's error
# carries the HTTP status it came with (it said null, which the error schema reserves for no response).
# +0.15 KB: a 404 or a redirect from the agents API asks whether baseUrl is the console's root URL;
# +0.25 KB: so does a success whose body is an HTML page (a sign-in portal or proxy answering).
# +0.15 KB: Test Connection's token-expiry warning gives the status alone (the agents-read advice of
# the error's own message misled there: that read had worked). +0.1 KB: a response body the module has
# no memory left for fails its fetch instead of aborting (a trap that poisons the instance). +0.1 KB: a
# page of more than 1000 agents is refused as it is read (a hostile page of empty objects: gigabytes).
# Then -0.3 KB back: HTTP statuses formatted as u64 (u16's formatting no longer linked), a message
# concatenated rather than formatted. Then +0.65 KB raw / +0.35 KB gzipped so that a token spelled
# in escapes beside a number beyond f64 or a lone surrogate is redacted too (a tree could not be read:
# the body went back with the token in it), string by string (src/redact.rs).
# Ninth session: +0.5 KB raw / +0.15 KB gzipped so that a hostile console cannot take a sync to the
# 4 GiB ceiling (an abort: a trap) or page it until its deadline: a snapshot keeps at most 1,000,000
# serials, and paging well past the console's own totalItems stops with a resumable partial.
# +0.25 KB raw / +0.1 KB gzipped: rules a stored snapshot holds and the code now refuses are named as
# the snapshot's (previous.rules..., resumeFrom.rules..., snapshot.rules...), not as the input's rules.
# +0.1 KB: a resumed snapshot's counts (the host's text) saturate instead of overflowing (a panic in
# a build with overflow checks), and the paging guard counts what this call read, not those counts.
# +0.1 KB: a snapshot whose otherAgentIds hold the token (a console echoing it as an agent id, or a
# stored snapshot) is redacted too; that list was missing from the leak check.
# +0.65 KB raw / +0.3 KB gzipped: a text that spells the token only once written as JSON (a tab and
# the tail of a token starting with "t" are written \t and that tail, in the output crossing to JS
# and in a host's JSON.stringify) is redacted in every output, error and snapshot (src/redact.rs).
# +0.7 KB raw / +0.4 KB gzipped: so does a rawResponse string a console wrote with another escape
# (\u0009 and the tail, which a host's JSON.stringify of the parsed rawResponse writes \t and the tail).
# +0.1 KB: a token holding a quote or a backslash (no SentinelOne token does) is refused: it could be
# spelled across two JSON strings of an output, where no redaction of one text can see it.
# +0.9 KB raw / +0.4 KB gzipped: a snapshot keeps at most 256 MiB of agent data (entries counted as
# they are absorbed): a console sending huge ids or values could reach the 4 GiB ceiling with few serials.
# +0.25 KB: those texts are counted as JSON writes them (a control character six bytes), so that the
# snapshot's JSON stays near the budget, and a JSON text too long for a JS string is a coded error.
# +0.4 KB raw / +0.15 KB gzipped: the syncs running at once in one instance share a budget of twice
# that (several hostile consoles at once could otherwise still sum past 4 GiB).
# Tenth session: +0.25 KB raw / +0.07 KB gzipped so that the input schemas accept exactly the serial
# numbers the code accepts (2 to 128 characters once trimmed, no control characters: the pattern names
# the whitespace Rust trims, which no engine's \s matches exactly); one description serves both inputs.
# +0.25 KB raw / +0.07 KB gzipped so that the schemas say what the packed TypeScript types say
# (tests/package/types.test.mjs): an error always carries its four upstream fields and may carry a
# sync's partial snapshot, notTrustedByReason is keyed by rule ids, Test Connection's error code is one
# of the error codes.
# Eleventh session: +0.6 KB raw (gzipped unchanged) for a first lookup that compiles 9 KB less (below):
# rare checks (an IPv6 host, a port, a path, scope ids, a base URL or token that is not printable
# ASCII) and rare paths (escaped strings, float numbers, backslashes in a body, a sync's end) out of
# line, and last-active dates read only when a serial is shared. Then -1.0 KB raw / -0.4 KB gzipped:
# every integer (JSON numbers, counts sent as strings, Retry-After, versions, ports) is read by one
# loop (src/loose.rs `parse_u64`), not core's parser for each of i64, u64, u32 and u8. -0.14 KB: a
# serial's characters counted by a byte filter, not core's `chars().count()`. +0.05 KB: options that
# set nothing the core reads are not read (a first lookup compiles 1.5 KB less). +0.4 KB raw / +0.2 KB
# gzipped: a token made only of what JSON writes outside strings (digits, signs, punctuation, letters of
# true/false/null) is refused, in the code and the schema: a number a console sends could spell it, and
# the body redacted of it was no JSON (MALFORMED_RESPONSE, blaming the console). No S1 token is so.
# +0.05 KB: an output whose rawResponse the driver makes lazy is written without `"rawResponse":null`
# (a data property turned accessor put every output in V8's slow dictionary mode).
# Twelfth session (2026-12-07): +1.15 KB raw / +0.45 KB gzipped, and +0.1 KB on a first lookup, for
# big pages ~17 % faster (a 1000-agent lookup 11.5 -> 9.6 ms): a long token is searched by one pair
# probe per token length, not by a scan of every byte; a page whose reader met no escape is not scanned
# for backslashes again; and a rawResponse says whether redaction rewrote it (src/output.rs
# `RawFacts`), so the driver's own copy is recognised without a scan for the redaction marker.
# Then -0.26 KB raw / -0.21 KB gzipped: the producers and target-features sections stripped.
# Thirteenth session (2026-12-07): +1.03 KB raw / +0.46 KB gzipped for big pages another ~8 % faster:
# the driver copies a long Latin-1 text without measuring its UTF-8 first, and the core counts the
# bytes to widen (src/latin1.rs `into_utf8`), skipping the UTF-8 check of an ASCII page.
# Fourteenth session (2026-12-07): +0.33 KB raw / +0.14 KB gzipped for host cancellation: an
# `options.signal` that aborts ends the call with ABORTED (a new error code, its message, and the
# options check that refuses a signal that is not an AbortSignal).
# Fifteenth session (2026-12-07): -0.07 KB for zeroing what the allocator frees (talc held directly),
# then +0.56 KB raw / +0.28 KB gzipped for redirects: a 3xx is its own UPSTREAM_ERROR that says where
# its Location points (the platform fetch no longer follows one). +0.26 KB raw / +0.09 KB gzipped for
# options.allowedHosts: the driver checks each request's host; the core refuses a list that is not
# one of host patterns and reports a refused host as INVALID_CONNECTION (a Rust check at connection
# validation was +1.7 KB: opt-level "z" string handling).
# Sixteenth session (2026-12-07): +0.18 KB raw / +0.08 KB gzipped so that a redirect a browser hides
# (an opaque one, status 0 as fetch reports it) is that UPSTREAM_ERROR too, not a NETWORK error retried
# up to maxAttempts (a new TransportError for it was +0.38 KB: the retry loop's arm).
# (The error schema says so: its status is null when there is none to read.)
# +0.08 KB raw / +0.06 KB gzipped so that a TLS failure no attempt can mend (an untrusted, expired or
# misnamed certificate; a port without TLS) is a NETWORK error that is not retried, nor retryable.
# Eighteenth session (2026-12-07): lowered from 216,000 / 91,600 after -0.33 KB raw / -0.17 KB
# gzipped: a sync copies out only the agent fields its judge reads, and two struct updates from a
# whole value (not from `Default`) became assignments; each such update moved every field.
# Nineteenth session (2026-12-07): +2.29 KB raw / +1.07 KB gzipped so that an incremental sync
# takes an agent it reads under another serial (or none) out of its old serial's entry, which
# otherwise stayed trusted until its date aged past maxInactiveMinutes. Removing from the map would
# have been +5 KB (BTreeMap's removal code): the map is rebuilt once a sync instead, when a serial
# lost its last agent; 0.4 KB of it is a filter that keeps a page of 1000 new agents on 100,000
# serials at +0.1 s, not +0.45.
# Twentieth session (2026-12-07): +0.75 KB raw / +0.37 KB gzipped so that a serial whose judged agent
# moved away, leaving one agent the same incremental sync read (and judged, then set aside for the
# one that moved), keeps that agent's verdict: it stayed unjudged, failing closed until another sync.
# Then +0.5 KB raw / +0.12 KB gzipped for descriptions of the syncAgents summary's counts in the
# embedded manifest (what each counts was said only in README and the Rust docs). Then +0.28 KB raw /
# +0.11 KB gzipped: the verdicts kept are every agent an entry set aside (by id, its stored verdict
# when a newly read agent outranked it), not only the best one read; and an agent read twice on a
# page is left under the last serial it was read with (it was left under the first), also on a
# previous snapshot of no serial (+0.03 KB).
# Twenty-first session (2026-12-07): +0.07 KB raw / +0.02 KB gzipped so that a token with a square
# bracket is refused: one ending in `[` was spelled again by the `[REDACTED]` put in its place when a
# console echoed it after its own first characters, and so reached outputs and rawResponse.
MAX_RAW=219490
MAX_GZIP=93090
# Bytes of function bodies V8 compiles (lazily) for import + one realistic lookup: the connector's own
# share of cold start (scripts/first-call.mjs; 63.6 KB measured on 2026-11-24, 84 KB that morning;
# 65.7 KB in the tenth session, 55.2 KB in the eleventh, 55.6 KB in the twelfth; then 55.9 KB with a
# JWT-shaped token, as real consoles issue, whose first lookup also compiles the pair-probe search).
MAX_FIRST_CALL=56000
# WebAssembly memory a 20,000-agent sync and an incremental sync from its snapshot leave the module
# holding (scripts/sync-memory.mjs): memory never shrinks, so a host keeps it. 8.5 MB on 2026-11-24
# (fifth session); 30.5 MB that morning for the full sync alone; 8.39 MB in the seventh session.
MAX_SYNC_MEMORY=9000000
wasm=pkg/sentinelone_connector_bg.wasm
raw=$(wc -c <"$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
if [ "$raw" -gt "$MAX_RAW" ] || [ "$gz" -gt "$MAX_GZIP" ]; then
  echo "size budget exceeded: $raw bytes raw (budget $MAX_RAW), $gz gzipped (budget $MAX_GZIP)" >&2
  exit 1
fi
echo "size budget ok: $raw/$MAX_RAW bytes raw, $gz/$MAX_GZIP gzipped"
compiled=$(node --trace-wasm-compilation-times scripts/first-call.mjs |
  awk '/using Liftoff/ { n++; split($0, a, "bodysize "); split(a[2], b, " "); s += b[1] } END { print n + 0, s + 0 }')
read -r functions bytes <<<"$compiled"
if [ "$functions" -eq 0 ]; then
  echo "first-call budget: no compilation traced (did Node's --trace-wasm-compilation-times change?)" >&2
  exit 1
fi
if [ "$bytes" -gt "$MAX_FIRST_CALL" ]; then
  echo "first-call budget exceeded: a first lookup compiles $bytes bytes of $functions functions (budget $MAX_FIRST_CALL)" >&2
  exit 1
fi
echo "first-call budget ok: a first lookup compiles $bytes/$MAX_FIRST_CALL bytes ($functions functions)"
sync_memory=$(node scripts/sync-memory.mjs)
if [ "$sync_memory" -gt "$MAX_SYNC_MEMORY" ]; then
  echo "sync memory budget exceeded: a 20,000-agent sync and an incremental one leave $sync_memory bytes of wasm memory (budget $MAX_SYNC_MEMORY)" >&2
  exit 1
fi
echo "sync memory budget ok: a 20,000-agent sync and an incremental one leave $sync_memory/$MAX_SYNC_MEMORY bytes of wasm memory"
