//! `fetch` of `runtime.rs`, with mimalloc as the global allocator instead of
//! the system's. A stream's rows are decoded on the connection's thread and
//! dropped on the caller's; glibc's allocator makes the two threads contend
//! for the same arena, an allocator with per-thread free lists does not
//! (see README.md, "Performance").

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[allow(dead_code)]
#[path = "runtime.rs"]
mod runtime;

fn fetch_stream(c: &mut criterion::Criterion) {
    runtime::fetch_stream_in(c, "fetch_stream_1m_mimalloc");
}

criterion::criterion_group!(benches, fetch_stream);
criterion::criterion_main!(benches);
