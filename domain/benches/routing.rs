//! Latency of one routing decision as a report makes it: the grid a point
//! lies in (`GridIndex::locate`), then the rule that takes the case
//! (`routing::route`) among many. `cargo bench -p gridops-domain --bench routing`.
//!
//! Synthetic city: 100,000 square grids (10 districts × 10 subdistricts ×
//! 10 communities × 100 grids) and 10,000 rules spread as a real table is:
//! most name a category and an area (a subdistrict or community), some a
//! time window or a priority, a few only a category or only an area.
//! `GRIDOPS_BENCH_RULES` / `GRIDOPS_BENCH_GRIDS` change the sizes. Without
//! `--bench` (as `cargo test --all-targets` runs it) only a smoke run is made.

use std::env;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::NaiveTime;
use geo::{LineString, MultiPolygon, Polygon};
use gridops_domain::area::AreaCode;
use gridops_domain::category::Priority;
use gridops_domain::geo::GridIndex;
use gridops_domain::party::PartyKind;
use gridops_domain::role::Role;
use gridops_domain::routing::{
    Case, Directory, DispatchLevel, Mode, RoutingRule, RuleBook, Serving, Target, TimeWindow,
};

const CATEGORY_ROOTS: usize = 20;
const CATEGORY_LEAVES: usize = 10;
const CELL_DEG: f64 = 0.002;

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let bench = args.iter().any(|a| a == "--bench");
    let size = |name: &str, full: usize, smoke: usize| {
        env::var(name)
            .ok()
            .and_then(|v| v.replace('_', "").parse().ok())
            .unwrap_or(if bench { full } else { smoke })
    };
    let grid_count = size("GRIDOPS_BENCH_GRIDS", 100_000, 2_000);
    let rule_count = size("GRIDOPS_BENCH_RULES", 10_000, 500);
    let decisions = if bench { 20_000 } else { 500 };

    let city = City::new(grid_count);
    let started = Instant::now();
    let index = GridIndex::build(city.grids.iter().map(|(code, square)| {
        (
            code.clone(),
            5,
            MultiPolygon(vec![Polygon::new(square.clone(), vec![])]),
        )
    }));
    let build = started.elapsed();
    let rules = synthetic_rules(&city, rule_count);
    let directory = Everyone;
    let rule_count = rules.len();
    let book = RuleBook::new(rules);

    let mut rng = SplitMix64(0x726f_7574_696e_6721);
    let mut locate = Vec::with_capacity(decisions);
    let mut decide = Vec::with_capacity(decisions);
    let mut total = Vec::with_capacity(decisions);
    let mut considered = 0usize;
    for i in 0..decisions {
        let (lng, lat) = city.random_point(&mut rng);
        let category = format!(
            "c{}.l{}",
            rng.below(CATEGORY_ROOTS),
            rng.below(CATEGORY_LEAVES)
        );
        let at = NaiveTime::from_hms_opt(u32::try_from(i % 24).unwrap_or(0), 30, 0)
            .unwrap_or(NaiveTime::MIN);
        let t0 = Instant::now();
        let Some(grid) = index.locate(lng, lat) else {
            continue;
        };
        let t1 = Instant::now();
        let case = Case {
            category: &category,
            grid,
            priority: Priority::ALL[i % 4],
            at_local: at,
            returned_by: &[],
        };
        let decision = black_box(book.route(&case, &directory));
        let t2 = Instant::now();
        considered += decision.explanation.considered.len();
        locate.push(t1 - t0);
        decide.push(t2 - t1);
        total.push(t2 - t0);
    }
    if !bench {
        println!("routing: smoke run (pass --bench, as `cargo bench` does, for the full run)");
    }
    println!(
        "{} grids (index built in {}), {} rules, {} decisions; explanations list {:.1} rules on average",
        grid_count,
        fmt(build),
        rule_count,
        total.len(),
        considered as f64 / total.len().max(1) as f64
    );
    println!("| phase | p50 | p99 | max |");
    println!("|---|---:|---:|---:|");
    for (name, samples) in [
        ("grid lookup", &mut locate),
        ("rule match", &mut decide),
        ("whole decision", &mut total),
    ] {
        samples.sort();
        println!(
            "| {name} | {} | {} | {} |",
            fmt(percentile(samples, 0.50)),
            fmt(percentile(samples, 0.99)),
            fmt(samples.last().copied().unwrap_or_default())
        );
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn fmt(d: Duration) -> String {
    if d >= Duration::from_millis(1) {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    }
}

/// A lattice of square grids coded district/subdistrict/community/grid.
struct City {
    grids: Vec<(AreaCode, LineString<f64>)>,
    cols: usize,
    rows: usize,
}

impl City {
    fn new(count: usize) -> Self {
        let cols = (count as f64).sqrt().ceil() as usize;
        let rows = count.div_ceil(cols);
        let grids = (0..count)
            .map(|n| {
                let (col, row) = (n % cols, n / cols);
                let (x, y) = (113.0 + col as f64 * CELL_DEG, 34.0 + row as f64 * CELL_DEG);
                let square = LineString::from(vec![
                    (x, y),
                    (x + CELL_DEG, y),
                    (x + CELL_DEG, y + CELL_DEG),
                    (x, y + CELL_DEG),
                    (x, y),
                ]);
                (grid_code(n), square)
            })
            .collect();
        City { grids, cols, rows }
    }

    fn random_point(&self, rng: &mut SplitMix64) -> (f64, f64) {
        let col = rng.below(self.cols);
        let row = rng.below(self.rows);
        let (x, y) = (113.0 + col as f64 * CELL_DEG, 34.0 + row as f64 * CELL_DEG);
        (x + CELL_DEG * 0.5, y + CELL_DEG * 0.5)
    }
}

/// The n-th grid: 100 per community, 10 communities per subdistrict, 10
/// subdistricts per district, districts 410101, 410102, ...
fn grid_code(n: usize) -> AreaCode {
    let grid = n % 100 + 1;
    let community = n / 100 % 10 + 1;
    let subdistrict = n / 1_000 % 10 + 1;
    let district = n / 10_000 + 1;
    parse(&format!(
        "4101{district:02}{subdistrict:03}{community:03}{grid:03}"
    ))
}

fn parse(code: &str) -> AreaCode {
    AreaCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"))
}

/// Rules with no two equally specific for the same case (saving would
/// refuse those): each combination of conditions is used once.
fn synthetic_rules(city: &City, count: usize) -> Vec<RoutingRule> {
    let communities: Vec<AreaCode> = city
        .grids
        .iter()
        .step_by(100)
        .map(|(code, _)| parse(&code.as_str()[..12]))
        .collect();
    let subdistricts: Vec<AreaCode> = communities
        .iter()
        .step_by(10)
        .map(|c| parse(&c.as_str()[..9]))
        .collect();
    let night = TimeWindow::new(
        NaiveTime::from_hms_opt(22, 0, 0).unwrap_or(NaiveTime::MIN),
        NaiveTime::from_hms_opt(7, 0, 0).unwrap_or(NaiveTime::MIN),
    )
    .ok();
    let targets = [
        Target::GridWorkers,
        Target::Mediator,
        Target::PartyOfKind(PartyKind::HeatingCompany),
        Target::Dispatcher {
            level: DispatchLevel::Community,
        },
        Target::Party("p-1".into()),
    ];
    let mut rules = Vec::with_capacity(count);
    let mut n = 0usize;
    'outer: for leaf in 0..CATEGORY_LEAVES {
        for root in 0..CATEGORY_ROOTS {
            let category = format!("c{root}.l{leaf}");
            // Per category: its own rule, then one per area (communities
            // first, then subdistricts), a night variant and an urgent one.
            // Areas spread over the whole city, shifted per category.
            let areas = communities
                .iter()
                .skip(root % 7)
                .step_by((communities.len() / 15).max(1))
                .take(15)
                .chain(subdistricts.iter().skip(leaf).step_by(7).take(6));
            for (k, area) in std::iter::once(None).chain(areas.map(Some)).enumerate() {
                for (window, priority) in
                    [(None, None), (night, None), (None, Some(Priority::Urgent))]
                {
                    if rules.len() >= count {
                        break 'outer;
                    }
                    n += 1;
                    rules.push(RoutingRule {
                        id: format!("r{n}"),
                        name: format!("rule {n}"),
                        category: Some(category.clone()),
                        area: area.cloned(),
                        window,
                        priority,
                        target: targets[(root + k) % targets.len()].clone(),
                        assists: Vec::new(),
                        mode: Mode::AutoDispatch,
                    });
                }
                if k > 20 {
                    break;
                }
            }
        }
    }
    rules
}

/// A directory where every role is filled and every kind serves everywhere.
struct Everyone;

impl Directory for Everyone {
    fn users_with_role(&self, role: Role, area: &AreaCode) -> Vec<String> {
        vec![format!("{}-{}", role.as_str(), area.as_str())]
    }

    fn parties_of_kind_serving(&self, kind: PartyKind, area: &AreaCode) -> Vec<Serving> {
        vec![Serving {
            party: format!("{}-{}", kind.as_str(), &area.as_str()[..6]),
            area: parse(&area.as_str()[..6]),
        }]
    }

    fn on_duty(&self, _grid: &AreaCode) -> Vec<gridops_domain::duty::OnDuty> {
        Vec::new()
    }
}

struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
