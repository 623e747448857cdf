//! Build time, memory and point-lookup latency of `GridIndex` on synthetic
//! grids: `cargo bench -p gridops-domain --bench grid_lookup`.
//!
//! `GRIDOPS_BENCH_SIZES=10000,100000` runs fewer sizes (default 10k, 100k, 1M).
//! Without `--bench` on the command line (`cargo test --all-targets` runs this
//! binary in a debug build) only a quick smoke run is made.
//!
//! Memory is read from the kernel (anonymous resident memory) rather than
//! through a counting `#[global_allocator]`: the workspace forbids
//! `unsafe_code`, and implementing `GlobalAlloc` needs it. To keep the
//! readings clean each size runs in a fresh child process of this binary.

use gridops_domain::geo::GridIndex;
use std::env;
use std::fs;
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::mem::size_of;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use synthetic_grids::{Lattice, SplitMix64, boundary_heap_bytes};

const BENCH_SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];
const SMOKE_SIZES: [usize; 1] = [2_000];
const BENCH_LOOKUPS: usize = 100_000;
const SMOKE_LOOKUPS: usize = 2_000;
const VERTICES: usize = 64;
const DEPTH: u8 = 4;
const SEED: u64 = 0x6772_6964_6f70_7321;

const SIZES_ENV: &str = "GRIDOPS_BENCH_SIZES";
const CHILD_ENV: &str = "GRIDOPS_BENCH_CHILD";
const RESULT_MARK: &str = "@@grid_lookup_result";
/// Fixed glibc thresholds stop malloc from adapting them mid-run (it raises
/// them after freeing a large block, then keeps freed memory resident), which
/// would make resident-memory deltas depend on what ran before.
const CHILD_MALLOC_TUNABLES: &str =
    "glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072";

fn main() {
    // libtest-style flags (`--bench`, filters, `--nocapture`, …) are accepted
    // and ignored, except that `--list` must answer "no tests" quietly.
    let args: Vec<String> = env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "--list") {
        return;
    }
    if let Ok(spec) = env::var(CHILD_ENV) {
        run_child(&spec);
        return;
    }
    let bench = args.iter().any(|arg| arg == "--bench");
    let sizes = match env::var(SIZES_ENV) {
        Ok(list) => parse_sizes(&list),
        Err(_) if bench => BENCH_SIZES.to_vec(),
        Err(_) => SMOKE_SIZES.to_vec(),
    };
    let lookups = if bench { BENCH_LOOKUPS } else { SMOKE_LOOKUPS };
    if !bench {
        println!("grid_lookup: smoke run (pass --bench, as `cargo bench` does, for the full run)");
    }

    let results: Vec<Outcome> = sizes
        .iter()
        .map(|&grids| run_in_child(grids, lookups))
        .collect();

    println!();
    println!("| grids | vertices/grid | build | index memory | p50 | p99 | max | hit rate |");
    println!("|------:|--------------:|------:|-------------:|----:|----:|----:|---------:|");
    for r in &results {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.1} % |",
            thousands(r.grids),
            r.vertices,
            fmt_duration(Duration::from_nanos(r.build_ns)),
            r.index_bytes.map_or_else(|| "n/a".to_owned(), fmt_bytes),
            fmt_duration(Duration::from_nanos(r.p50_ns)),
            fmt_duration(Duration::from_nanos(r.p99_ns)),
            fmt_duration(Duration::from_nanos(r.max_ns)),
            100.0 * r.hits as f64 / r.lookups as f64,
        );
    }
}

fn parse_sizes(list: &str) -> Vec<usize> {
    let sizes: Vec<usize> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.replace('_', "").parse().unwrap_or_else(|_| {
                panic!("{SIZES_ENV}: `{s}` is not a grid count (expected e.g. 10000,100000)")
            })
        })
        .collect();
    assert!(
        !sizes.is_empty() && sizes.iter().all(|&n| n > 0),
        "{SIZES_ENV} must list positive grid counts, got `{list}`"
    );
    sizes
}

/// What a child reports back; it travels as one whitespace-separated line.
#[derive(Debug)]
struct Outcome {
    grids: usize,
    vertices: usize,
    build_ns: u64,
    index_bytes: Option<u64>,
    p50_ns: u64,
    p99_ns: u64,
    max_ns: u64,
    hits: usize,
    lookups: usize,
}

impl Outcome {
    fn encode(&self) -> String {
        format!(
            "{RESULT_MARK} {} {} {} {} {} {} {} {} {}",
            self.grids,
            self.vertices,
            self.build_ns,
            self.index_bytes.map_or(-1, |b| b as i64),
            self.p50_ns,
            self.p99_ns,
            self.max_ns,
            self.hits,
            self.lookups,
        )
    }

    fn decode(line: &str) -> Option<Self> {
        let mut fields = line.strip_prefix(RESULT_MARK)?.split_whitespace();
        let mut next = || fields.next()?.parse::<i64>().ok();
        Some(Outcome {
            grids: next()? as usize,
            vertices: next()? as usize,
            build_ns: next()? as u64,
            index_bytes: u64::try_from(next()?).ok(),
            p50_ns: next()? as u64,
            p99_ns: next()? as u64,
            max_ns: next()? as u64,
            hits: next()? as usize,
            lookups: next()? as usize,
        })
    }
}

fn run_in_child(grids: usize, lookups: usize) -> Outcome {
    let exe = env::current_exe().expect("path of the running benchmark binary");
    let mut command = Command::new(exe);
    command
        .env(CHILD_ENV, format!("{grids},{lookups}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if env::var_os("GLIBC_TUNABLES").is_none() {
        command.env("GLIBC_TUNABLES", CHILD_MALLOC_TUNABLES);
    }
    let mut child = command.spawn().expect("spawn a benchmark child process");
    let stdout = child.stdout.take().expect("child stdout is piped");
    let mut outcome = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read the child's output");
        match Outcome::decode(&line) {
            Some(decoded) => outcome = Some(decoded),
            None => println!("{line}"),
        }
    }
    let status = child.wait().expect("wait for the benchmark child");
    assert!(
        status.success(),
        "benchmark for {grids} grids failed ({status})"
    );
    outcome.unwrap_or_else(|| panic!("benchmark for {grids} grids reported no result"))
}

fn run_child(spec: &str) {
    let (grids, lookups) = spec
        .split_once(',')
        .and_then(|(g, l)| Some((g.parse().ok()?, l.parse().ok()?)))
        .unwrap_or_else(|| panic!("{CHILD_ENV}=`{spec}`: expected `<grids>,<lookups>`"));
    println!("{}", measure(grids, lookups).encode());
}

fn measure(grid_count: usize, lookup_count: usize) -> Outcome {
    let lattice = Lattice::new(grid_count);
    let mut rng = SplitMix64::new(SEED ^ grid_count as u64);
    println!(
        "== {} grids: {} × {} lattice, cells {:.4}° × {:.4}°, {VERTICES} vertices each",
        thousands(grid_count),
        lattice.cols,
        lattice.rows,
        lattice.cell_w,
        lattice.cell_h,
    );

    let live_before = anon_resident_bytes();
    let started = Instant::now();
    let grids = lattice.generate(VERTICES, DEPTH, &mut rng);
    let generation = started.elapsed();
    let boundary_bytes = boundary_heap_bytes(&grids);
    let input_vec_bytes = grids.capacity() * size_of::<(u64, u8, geo::MultiPolygon<f64>)>();
    let live_after_generation = anon_resident_bytes();

    let peak_reset = reset_peak_resident();
    let started = Instant::now();
    let index = GridIndex::build(black_box(grids));
    let build = started.elapsed();
    let index = black_box(index);
    let live_after_build = anon_resident_bytes();
    let peak_during_build = peak_reset.then(peak_resident_bytes).flatten();

    sanity_check(&index, &lattice);

    // Queries are drawn after the memory readings so they do not count as index memory.
    let queries: Vec<(f64, f64, Option<usize>)> = (0..lookup_count)
        .map(|i| {
            if i % 2 == 0 {
                let cell = rng.below(grid_count);
                let (lng, lat) = lattice.point_inside(cell, &mut rng);
                (lng, lat, Some(cell))
            } else {
                let (lng, lat) = Lattice::point_in_region(&mut rng);
                (lng, lat, None)
            }
        })
        .collect();

    // Fault in code and the first cache lines so the first samples are not page faults.
    for _ in 0..1_000 {
        let (lng, lat) = Lattice::point_in_region(&mut rng);
        black_box(index.locate(black_box(lng), black_box(lat)));
    }

    let mut latencies = Vec::with_capacity(queries.len());
    let mut hits = 0;
    for &(lng, lat, expected) in &queries {
        let started = Instant::now();
        let found = black_box(index.locate(black_box(lng), black_box(lat)));
        latencies.push(started.elapsed());
        check_answer(&lattice, lng, lat, expected, found);
        hits += usize::from(found.is_some());
    }
    latencies.sort_unstable();
    let timer_overhead = timer_overhead();

    let (p50, p99, max) = (
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or_default(),
    );
    let mib = |bytes: Option<u64>| bytes.map_or_else(|| "n/a".to_owned(), fmt_bytes);
    let delta = |from: Option<u64>, to: Option<u64>| Some(to?.abs_diff(from?));
    println!(
        "   generation {} (not part of build)",
        fmt_duration(generation)
    );
    println!(
        "   boundaries as allocated: {} ({} B/grid) + input Vec {}",
        fmt_bytes(boundary_bytes as u64),
        boundary_bytes / grid_count,
        fmt_bytes(input_vec_bytes as u64),
    );
    println!(
        "   resident anon: before {}, after generation {}, after build {}",
        mib(live_before),
        mib(live_after_generation),
        mib(live_after_build),
    );
    let generated = delta(live_before, live_after_generation);
    let index_memory = delta(live_before, live_after_build);
    println!(
        "   live after generation {}; live after build {}; difference {}{} \
         (R-tree + item table, minus the input Vec the build consumed)",
        mib(generated),
        mib(index_memory),
        signed_sign(live_after_generation, live_after_build),
        mib(delta(live_after_generation, live_after_build)),
    );
    println!("   peak resident during build: {}", mib(peak_during_build));
    println!("   build {} ({} entries)", fmt_duration(build), index.len());
    println!(
        "   lookups {}: p50 {}, p99 {}, max {}, hit rate {:.1} % (timer overhead p50 {})",
        thousands(latencies.len()),
        fmt_duration(p50),
        fmt_duration(p99),
        fmt_duration(max),
        100.0 * hits as f64 / latencies.len() as f64,
        fmt_duration(timer_overhead),
    );

    Outcome {
        grids: grid_count,
        vertices: VERTICES,
        build_ns: build.as_nanos() as u64,
        index_bytes: index_memory,
        p50_ns: p50.as_nanos() as u64,
        p99_ns: p99.as_nanos() as u64,
        max_ns: max.as_nanos() as u64,
        hits,
        lookups: latencies.len(),
    }
}

/// A broken index must not be able to print good-looking numbers.
fn sanity_check(index: &GridIndex<u64>, lattice: &Lattice) {
    assert_eq!(
        index.len(),
        lattice.len,
        "sanity check: the index holds {} grids, {} were built",
        index.len(),
        lattice.len
    );
    let last = lattice.len - 1;
    for cell in [0, lattice.len / 2, last, lattice.cols.min(last)] {
        let (lng, lat) = lattice.centre(cell);
        let found = index.locate(lng, lat);
        assert_eq!(
            found,
            Some(&Lattice::key(cell)),
            "sanity check: the centre ({lng}, {lat}) of cell {cell} must locate to key {}, got {found:?}",
            Lattice::key(cell)
        );
        let (lng, lat) = lattice.corner(cell);
        let found = index.locate(lng, lat);
        assert_eq!(
            found, None,
            "sanity check: the lattice corner ({lng}, {lat}) is a gap between grids, got {found:?}"
        );
    }
}

/// Inside points must hit their own cell; region points may only hit the cell
/// they fall in, since polygons never leave their cells.
fn check_answer(
    lattice: &Lattice,
    lng: f64,
    lat: f64,
    expected: Option<usize>,
    found: Option<&u64>,
) {
    match (expected, found) {
        (Some(cell), found) => assert_eq!(
            found,
            Some(&Lattice::key(cell)),
            "point ({lng}, {lat}) lies inside cell {cell}'s polygon but was located to {found:?}"
        ),
        (None, Some(&key)) => {
            let cell = lattice.cell_at(lng, lat);
            assert_eq!(
                cell.map(Lattice::key),
                Some(key),
                "point ({lng}, {lat}) in cell {cell:?} was located to key {key}, a different cell"
            );
        }
        (None, None) => {}
    }
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// What an empty `Instant::now()`/`elapsed()` pair costs, to read small
/// latencies against.
fn timer_overhead() -> Duration {
    let mut samples: Vec<Duration> = (0..10_000)
        .map(|_| black_box(Instant::now()).elapsed())
        .collect();
    samples.sort_unstable();
    percentile(&samples, 50.0)
}

/// Anonymous resident memory of this process: the heap plus anonymous
/// mappings (large allocations), i.e. what the allocator really holds,
/// including its per-block overhead and page rounding.
fn anon_resident_bytes() -> Option<u64> {
    if let Ok(rollup) = fs::read_to_string("/proc/self/smaps_rollup")
        && let Some(kib) = field_kib(&rollup, "Anonymous:")
    {
        return Some(kib * 1024);
    }
    let status = fs::read_to_string("/proc/self/status").ok()?;
    field_kib(&status, "RssAnon:").map(|kib| kib * 1024)
}

/// Writing 5 to `clear_refs` resets the peak-RSS watermark (Linux ≥ 4.0).
fn reset_peak_resident() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn peak_resident_bytes() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    field_kib(&status, "VmHWM:").map(|kib| kib * 1024)
}

fn field_kib(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn signed_sign(from: Option<u64>, to: Option<u64>) -> &'static str {
    match (from, to) {
        (Some(from), Some(to)) if to < from => "-",
        _ => "+",
    }
}

fn fmt_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    match ns {
        0..1_000 => format!("{ns} ns"),
        1_000..1_000_000 => format!("{:.2} µs", ns as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} ms", ns as f64 / 1e6),
        _ => format!("{:.2} s", ns as f64 / 1e9),
    }
}

fn fmt_bytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// Lives here rather than in `benches/synthetic_grids.rs`: Cargo would take
// that file for a bench target of its own.
mod synthetic_grids {
    //! Deterministic synthetic grids for the lookup benchmark.
    //!
    //! The region is tiled by a regular lattice and every cell holds one wobbly
    //! polygon drawn strictly inside the ellipse inscribed in the cell, so grids
    //! never overlap and the corners of the lattice are gaps that belong to no grid.

    use geo::{Coord, LineString, MultiPolygon, Polygon};
    use std::f64::consts::TAU;
    use std::mem::size_of;

    /// A province-sized box (about 900 km × 900 km around lat 34°).
    pub const LNG_MIN: f64 = 110.0;
    pub const LNG_MAX: f64 = 120.0;
    pub const LAT_MIN: f64 = 30.0;
    pub const LAT_MAX: f64 = 38.0;

    /// Keys deliberately differ from cell positions, so an index that handed back
    /// an item's position instead of its key would fail the sanity checks.
    const KEY_BASE: u64 = 7_000_000_000;

    /// Every vertex lies at a normalised radius in `[RADIUS_MIN, RADIUS_MIN + RADIUS_SPREAD)`
    /// of the cell's inscribed ellipse, so the polygon stays inside its cell.
    const RADIUS_MIN: f64 = 0.80;
    const RADIUS_SPREAD: f64 = 0.15;
    /// Angular jitter as a fraction of the nominal vertex spacing; below 0.5 the
    /// angles stay increasing, so the ring is star-shaped and never self-intersects.
    const ANGLE_JITTER: f64 = 0.3;
    /// With vertices at radius >= 0.8 at most 1.6 spacings apart, every edge stays
    /// beyond 0.8·cos(1.6·π/64) ≈ 0.797 of the centre; points sampled within 0.75
    /// are therefore inside the polygon whatever the wobble.
    const SAFE_INNER_RADIUS: f64 = 0.75;

    /// SplitMix64: tiny, fast and good enough to scatter benchmark inputs; a fixed
    /// seed keeps runs comparable without pulling in `rand`.
    #[derive(Debug, Clone)]
    pub struct SplitMix64(u64);

    impl SplitMix64 {
        pub fn new(seed: u64) -> Self {
            SplitMix64(seed)
        }

        pub fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// Uniform in `[0, 1)`, using the 53 bits an `f64` mantissa can hold.
        pub fn next_f64(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
        }

        pub fn below(&mut self, n: usize) -> usize {
            // Modulo bias is irrelevant at benchmark sizes (n ≪ 2^64).
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A row-major lattice of `len` cells over the region; the last row may be
    /// partly empty so that any grid count can be produced exactly.
    #[derive(Debug, Clone, Copy)]
    pub struct Lattice {
        pub len: usize,
        pub cols: usize,
        pub rows: usize,
        pub cell_w: f64,
        pub cell_h: f64,
    }

    impl Lattice {
        pub fn new(len: usize) -> Self {
            assert!(len > 0, "a lattice needs at least one cell");
            // Match the region's aspect ratio so cells come out roughly square in degrees.
            let aspect = (LNG_MAX - LNG_MIN) / (LAT_MAX - LAT_MIN);
            let cols = ((len as f64 * aspect).sqrt().round() as usize).max(1);
            let rows = len.div_ceil(cols);
            Lattice {
                len,
                cols,
                rows,
                cell_w: (LNG_MAX - LNG_MIN) / cols as f64,
                cell_h: (LAT_MAX - LAT_MIN) / rows as f64,
            }
        }

        pub fn key(cell: usize) -> u64 {
            KEY_BASE + cell as u64
        }

        pub fn centre(&self, cell: usize) -> (f64, f64) {
            let (col, row) = (cell % self.cols, cell / self.cols);
            (
                LNG_MIN + (col as f64 + 0.5) * self.cell_w,
                LAT_MIN + (row as f64 + 0.5) * self.cell_h,
            )
        }

        /// The lower-left corner of a cell: outside every polygon by construction.
        pub fn corner(&self, cell: usize) -> (f64, f64) {
            let (col, row) = (cell % self.cols, cell / self.cols);
            (
                LNG_MIN + col as f64 * self.cell_w,
                LAT_MIN + row as f64 * self.cell_h,
            )
        }

        /// The only cell whose polygon could contain the point, if any.
        pub fn cell_at(&self, lng: f64, lat: f64) -> Option<usize> {
            let col = ((lng - LNG_MIN) / self.cell_w).floor();
            let row = ((lat - LAT_MIN) / self.cell_h).floor();
            if col < 0.0 || row < 0.0 || col >= self.cols as f64 || row >= self.rows as f64 {
                return None;
            }
            let cell = row as usize * self.cols + col as usize;
            (cell < self.len).then_some(cell)
        }

        /// A point guaranteed to lie inside the cell's polygon (uniform over a
        /// disk-shaped core of it).
        pub fn point_inside(&self, cell: usize, rng: &mut SplitMix64) -> (f64, f64) {
            let (cx, cy) = self.centre(cell);
            let r = SAFE_INNER_RADIUS * rng.next_f64().sqrt();
            let (sin, cos) = (TAU * rng.next_f64()).sin_cos();
            (
                cx + 0.5 * self.cell_w * r * cos,
                cy + 0.5 * self.cell_h * r * sin,
            )
        }

        /// The polygon of one cell: a star-shaped ring of `vertices` distinct points.
        pub fn polygon(&self, cell: usize, vertices: usize, rng: &mut SplitMix64) -> Polygon<f64> {
            let (cx, cy) = self.centre(cell);
            let (a, b) = (0.5 * self.cell_w, 0.5 * self.cell_h);
            let step = TAU / vertices as f64;
            // One slot more than needed for the closing point, so that
            // `Polygon::new` closes the ring without reallocating it.
            let mut ring = Vec::with_capacity(vertices + 1);
            for i in 0..vertices {
                let jitter = ANGLE_JITTER * (2.0 * rng.next_f64() - 1.0);
                let (sin, cos) = ((i as f64 + jitter) * step).sin_cos();
                let r = RADIUS_MIN + RADIUS_SPREAD * rng.next_f64();
                ring.push(Coord {
                    x: cx + a * r * cos,
                    y: cy + b * r * sin,
                });
            }
            ring.push(ring[0]);
            Polygon::new(LineString::new(ring), Vec::new())
        }

        /// The `(key, depth, boundary)` triples `GridIndex::build` takes, in cell order.
        pub fn generate(
            &self,
            vertices: usize,
            depth: u8,
            rng: &mut SplitMix64,
        ) -> Vec<(u64, u8, MultiPolygon<f64>)> {
            let mut grids = Vec::with_capacity(self.len);
            for cell in 0..self.len {
                let boundary = MultiPolygon::new(vec![self.polygon(cell, vertices, rng)]);
                grids.push((Self::key(cell), depth, boundary));
            }
            grids
        }

        /// A point uniform over the whole region, gaps between polygons included.
        pub fn point_in_region(rng: &mut SplitMix64) -> (f64, f64) {
            (
                LNG_MIN + (LNG_MAX - LNG_MIN) * rng.next_f64(),
                LAT_MIN + (LAT_MAX - LAT_MIN) * rng.next_f64(),
            )
        }
    }

    /// Heap bytes requested for the boundaries themselves (coordinate and polygon
    /// buffers, by capacity), i.e. what any index must keep alive at the least.
    pub fn boundary_heap_bytes(grids: &[(u64, u8, MultiPolygon<f64>)]) -> usize {
        grids
            .iter()
            .map(|(_, _, boundary)| {
                boundary.0.capacity() * size_of::<Polygon<f64>>()
                    + boundary
                        .0
                        .iter()
                        .map(|polygon| {
                            polygon.exterior().0.capacity() * size_of::<Coord<f64>>()
                                + polygon
                                    .interiors()
                                    .iter()
                                    .map(|ring| ring.0.capacity() * size_of::<Coord<f64>>())
                                    .sum::<usize>()
                        })
                        .sum::<usize>()
            })
            .sum()
    }
}
