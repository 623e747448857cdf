//! Demo area tree for `gridops serve --demo`.
//!
//! The names and the parent/child relations are the real ones from the field reports in
//! `shared/seeds/` (Zhengzhou 中原区 and Gongyi 巩义市); the polygons are invented
//! (`synthetic: true`). They are axis-aligned rectangles built bottom-up so that the
//! invariants the area validator enforces hold by construction: grids tile their community
//! exactly, communities sit apart from each other in a small lattice around the real
//! location of their subdistrict, and every parent is the bounding box of its children plus
//! a margin.
//!
//! Codes follow the unit-grid scheme (GB/T 2260 division, then 3 digits each for street,
//! community and grid), but the street and community numbers are demo sequence numbers, not
//! the official statistical codes.

use geojson::{Feature, FeatureCollection, Geometry, JsonObject, JsonValue, Value, feature::Id};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    City,
    District,
    Subdistrict,
    Community,
    Grid,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Self::City => "city",
            Self::District => "district",
            Self::Subdistrict => "subdistrict",
            Self::Community => "community",
            Self::Grid => "grid",
        }
    }
}

/// Axis-aligned rectangle in WGS-84 degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Rect {
    west: f64,
    south: f64,
    east: f64,
    north: f64,
}

impl Rect {
    fn union(self, other: Self) -> Self {
        Self {
            west: self.west.min(other.west),
            south: self.south.min(other.south),
            east: self.east.max(other.east),
            north: self.north.max(other.north),
        }
    }

    /// Grows the rectangle by `metres` on every side; the result is rounded outwards so that
    /// rounding can never make a parent touch or cut into a child.
    fn expand(self, metres: f64) -> Self {
        let lat = (self.south + self.north) / 2.0;
        let dx = metres_to_lng(metres, lat);
        let dy = metres_to_lat(metres);
        Self {
            west: round_down(self.west - dx),
            south: round_down(self.south - dy),
            east: round_up(self.east + dx),
            north: round_up(self.north + dy),
        }
    }

    fn centre(self) -> (f64, f64) {
        (
            (self.west + self.east) / 2.0,
            (self.south + self.north) / 2.0,
        )
    }

    /// Closed, counter-clockwise exterior ring (RFC 7946 §3.1.6), starting at the south-west corner.
    fn ring(self) -> Vec<Vec<f64>> {
        vec![
            vec![self.west, self.south],
            vec![self.east, self.south],
            vec![self.east, self.north],
            vec![self.west, self.north],
            vec![self.west, self.south],
        ]
    }
}

// Seven decimals is ~1 cm: far below every gap and margin used here, and keeps the JSON short.
const SCALE: f64 = 1e7;

fn round7(x: f64) -> f64 {
    (x * SCALE).round() / SCALE
}

fn round_down(x: f64) -> f64 {
    (x * SCALE).floor() / SCALE
}

fn round_up(x: f64) -> f64 {
    (x * SCALE).ceil() / SCALE
}

fn metres_to_lat(m: f64) -> f64 {
    m / 110_574.0
}

fn metres_to_lng(m: f64, lat: f64) -> f64 {
    m / (111_320.0 * lat.to_radians().cos())
}

// Sizes are small on purpose: the real subdistrict offices of 中原区 are only 1.5–2 km apart,
// and a subdistrict with five communities must still fit between its neighbours.
const COMMUNITY_WIDTH_M: f64 = 380.0;
const COMMUNITY_HEIGHT_M: f64 = 320.0;
const COMMUNITY_GAP_M: f64 = 120.0;
const SUBDISTRICT_MARGIN_M: f64 = 80.0;
const DISTRICT_MARGIN_M: f64 = 300.0;
const CITY_MARGIN_M: f64 = 1_000.0;

struct CommunitySeed {
    name: &'static str,
    name_en: &'static str,
    grids: usize,
}

struct SubdistrictSeed {
    name: &'static str,
    name_en: &'static str,
    /// Approximate WGS-84 (lng, lat) of the 街道 office, read off a map to ~1 km; the demo
    /// only needs the right part of town, not survey accuracy.
    centre: (f64, f64),
    communities: &'static [CommunitySeed],
}

struct DistrictSeed {
    code: &'static str,
    name: &'static str,
    name_en: &'static str,
    subdistricts: &'static [SubdistrictSeed],
}

const fn community(name: &'static str, name_en: &'static str, grids: usize) -> CommunitySeed {
    CommunitySeed {
        name,
        name_en,
        grids,
    }
}

const CITY_CODE: &str = "410100";
const CITY_NAME: &str = "郑州市";
const CITY_NAME_EN: &str = "Zhengzhou City";

// Order of subdistricts and communities fixes their codes; keep appending, never reorder.
const DISTRICTS: &[DistrictSeed] = &[
    DistrictSeed {
        code: "410102",
        name: "中原区",
        name_en: "Zhongyuan District",
        subdistricts: &[
            SubdistrictSeed {
                name: "林山寨街道",
                name_en: "Linshanzhai Subdistrict",
                centre: (113.640, 34.765),
                // Seeds 003 (百花路46号院 heating) and 004 (工人路19号院 heating, 一中 snow patrol).
                communities: &[
                    community("百花社区", "Baihua Community", 3),
                    community("农业银行社区", "Nongye Yinhang Community", 3),
                    community("一中社区", "Yizhong Community", 4),
                ],
            },
            SubdistrictSeed {
                name: "桐柏路街道",
                name_en: "Tongbailu Subdistrict",
                centre: (113.614, 34.738),
                // Seed 003 (煤仓街: 董寨路2号院翡翠公寓 new property company) and seed 004
                // (城开 homeless man, 开元 car battery, 电厂南路 ginger tea, 平安街 night patrol).
                communities: &[
                    community("煤仓街社区", "Meicangjie Community", 3),
                    community("城开社区", "Chengkai Community", 4),
                    community("开元社区", "Kaiyuan Community", 3),
                    community("电厂南路社区", "Dianchang Nanlu Community", 2),
                    community("平安街社区", "Ping'anjie Community", 3),
                ],
            },
            SubdistrictSeed {
                name: "航海西路街道",
                name_en: "Hanghai Xilu Subdistrict",
                centre: (113.606, 34.718),
                // Seed 004: barking dog in 观澜社区7号院2号楼, settled by the community mediator.
                communities: &[community("观澜社区", "Guanlan Community", 4)],
            },
            SubdistrictSeed {
                name: "中原西路街道",
                name_en: "Zhongyuan Xilu Subdistrict",
                centre: (113.576, 34.746),
                // Seed 004: 绿都 grid work and 帮办代办, 万达 lost keys at 万达广场.
                communities: &[
                    community("绿都社区", "Lüdu Community", 4),
                    community("万达社区", "Wanda Community", 3),
                ],
            },
            SubdistrictSeed {
                name: "秦岭路街道",
                name_en: "Qinlinglu Subdistrict",
                centre: (113.592, 34.762),
                // Seed 004: 秦江 children's sports day.
                communities: &[community("秦江社区", "Qinjiang Community", 3)],
            },
            SubdistrictSeed {
                name: "三官庙街道",
                name_en: "Sanguanmiao Subdistrict",
                centre: (113.632, 34.742),
                // Seed 004 names 河南纺机社区 under 三官庙 and then, in the same item ("此外"),
                // 中原中路一社区's survey of compounds without property management; we read that
                // as the same subdistrict.
                communities: &[
                    community("河南纺机社区", "Henan Fangji Community", 3),
                    community("中原中路一社区", "Zhongyuan Zhonglu Yi Community", 2),
                ],
            },
            SubdistrictSeed {
                name: "棉纺路街道",
                name_en: "Mianfanglu Subdistrict",
                centre: (113.612, 34.770),
                // Seed 003 names no community of 棉纺路 (only the street hot spots 三四厂中街 and
                // 锦绣城神池路). A subdistrict needs grids for its street-vending cases, so one
                // community named after the 国棉三厂 housing estate stands in for them.
                communities: &[community("国棉三厂社区", "Guomian Sanchang Community", 4)],
            },
            SubdistrictSeed {
                name: "建设路街道",
                name_en: "Jianshelu Subdistrict",
                centre: (113.624, 34.756),
                // Seed 003: 计划路社区 residents' self-management of compounds.
                communities: &[community("计划路社区", "Jihualu Community", 3)],
            },
        ],
    },
    DistrictSeed {
        code: "410181",
        name: "巩义市",
        name_en: "Gongyi City",
        // Gongyi's three urban subdistricts are close together around the city centre
        // (~113.02, 34.75); the centres below are spread ~1.5 km apart, which is roughly right.
        subdistricts: &[
            SubdistrictSeed {
                name: "新华路街道",
                name_en: "Xinhualu Subdistrict",
                centre: (113.030, 34.762),
                // Seed 000: 钢苑小区 district heating, 锦豪园, 世博领秀城, 水苑 …
                communities: &[community("新兴路社区", "Xinxinglu Community", 3)],
            },
            SubdistrictSeed {
                name: "杜甫路街道",
                name_en: "Dufulu Subdistrict",
                centre: (113.038, 34.744),
                // Seed 001: 化肥厂楼院, 南苑小区 gas, 宇华苑 lift retrofit.
                communities: &[community("杜甫路社区", "Dufulu Community", 4)],
            },
            SubdistrictSeed {
                name: "紫荆路街道",
                name_en: "Zijinglu Subdistrict",
                centre: (113.012, 34.750),
                // Seed 002: 和协花园 lift retrofit, census.
                communities: &[community("永新路社区", "Yongxinlu Community", 3)],
            },
        ],
    },
];

struct DemoArea {
    code: String,
    name: String,
    name_en: String,
    level: Level,
    parent_code: Option<String>,
    rect: Rect,
}

/// Community rectangles in a near-square lattice centred on `centre`, numbered row by row
/// from the north-west, the order the unit-grid standard numbers cells in.
fn community_lattice(centre: (f64, f64), n: usize) -> Vec<Rect> {
    let cols = (1..=n.max(1)).find(|c| c * c >= n).unwrap_or(1);
    let rows = n.div_ceil(cols);
    let (lng, lat) = centre;
    let w = metres_to_lng(COMMUNITY_WIDTH_M, lat);
    let h = metres_to_lat(COMMUNITY_HEIGHT_M);
    let gx = metres_to_lng(COMMUNITY_GAP_M, lat);
    let gy = metres_to_lat(COMMUNITY_GAP_M);
    let total_w = cols as f64 * w + (cols as f64 - 1.0) * gx;
    let total_h = rows as f64 * h + (rows as f64 - 1.0) * gy;
    let left = lng - total_w / 2.0;
    let top = lat + total_h / 2.0;
    (0..n)
        .map(|i| {
            let (row, col) = ((i / cols) as f64, (i % cols) as f64);
            let west = left + col * (w + gx);
            let north = top - row * (h + gy);
            Rect {
                west: round7(west),
                south: round7(north - h),
                east: round7(west + w),
                north: round7(north),
            }
        })
        .collect()
}

/// Splits `outer` into `n` cells that tile it exactly: the outer edges are copied, not
/// recomputed, and each inner edge is computed once and shared by both neighbours, so there is
/// neither a sliver gap nor an overlap. Numbered west→east, north→south.
fn tile(outer: Rect, n: usize) -> Vec<Rect> {
    let rows = if n >= 4 && n.is_multiple_of(2) { 2 } else { 1 };
    let cols = (n / rows).max(1);
    let xs: Vec<f64> = (0..=cols)
        .map(|i| match i {
            0 => outer.west,
            i if i == cols => outer.east,
            i => round7(outer.west + (outer.east - outer.west) * i as f64 / cols as f64),
        })
        .collect();
    let ys: Vec<f64> = (0..=rows)
        .map(|j| match j {
            0 => outer.north,
            j if j == rows => outer.south,
            j => round7(outer.north - (outer.north - outer.south) * j as f64 / rows as f64),
        })
        .collect();
    let mut cells = Vec::with_capacity(rows * cols);
    for j in 0..rows {
        for i in 0..cols {
            cells.push(Rect {
                west: xs[i],
                south: ys[j + 1],
                east: xs[i + 1],
                north: ys[j],
            });
        }
    }
    cells
}

/// The whole tree, parents before children.
fn build() -> Vec<DemoArea> {
    let mut districts: Vec<(DemoArea, Vec<DemoArea>)> = Vec::new();
    for d in DISTRICTS {
        let mut below = Vec::new();
        let mut sub_rects = Vec::new();
        for (si, s) in d.subdistricts.iter().enumerate() {
            let s_code = format!("{}{:03}", d.code, si + 1);
            let c_rects = community_lattice(s.centre, s.communities.len());
            let Some(s_rect) = c_rects.iter().copied().reduce(Rect::union) else {
                continue;
            };
            let s_rect = s_rect.expand(SUBDISTRICT_MARGIN_M);
            sub_rects.push(s_rect);
            below.push(DemoArea {
                code: s_code.clone(),
                name: s.name.to_owned(),
                name_en: s.name_en.to_owned(),
                level: Level::Subdistrict,
                parent_code: Some(d.code.to_owned()),
                rect: s_rect,
            });
            for (ci, (c, c_rect)) in s.communities.iter().zip(c_rects).enumerate() {
                let c_code = format!("{s_code}{:03}", ci + 1);
                below.push(DemoArea {
                    code: c_code.clone(),
                    name: c.name.to_owned(),
                    name_en: c.name_en.to_owned(),
                    level: Level::Community,
                    parent_code: Some(s_code.clone()),
                    rect: c_rect,
                });
                for (gi, g_rect) in tile(c_rect, c.grids).into_iter().enumerate() {
                    let n = gi + 1;
                    below.push(DemoArea {
                        code: format!("{c_code}{n:03}"),
                        name: format!("{}第{n}网格", c.name),
                        name_en: format!("{} Grid {n}", c.name_en),
                        level: Level::Grid,
                        parent_code: Some(c_code.clone()),
                        rect: g_rect,
                    });
                }
            }
        }
        let Some(d_rect) = sub_rects.into_iter().reduce(Rect::union) else {
            continue;
        };
        let district = DemoArea {
            code: d.code.to_owned(),
            name: d.name.to_owned(),
            name_en: d.name_en.to_owned(),
            level: Level::District,
            parent_code: Some(CITY_CODE.to_owned()),
            rect: d_rect.expand(DISTRICT_MARGIN_M),
        };
        districts.push((district, below));
    }

    let mut out = Vec::new();
    if let Some(city_rect) = districts.iter().map(|(d, _)| d.rect).reduce(Rect::union) {
        out.push(DemoArea {
            code: CITY_CODE.to_owned(),
            name: CITY_NAME.to_owned(),
            name_en: CITY_NAME_EN.to_owned(),
            level: Level::City,
            parent_code: None,
            rect: city_rect.expand(CITY_MARGIN_M),
        });
    }
    for (district, below) in districts {
        out.push(district);
        out.extend(below);
    }
    out
}

fn to_feature(area: DemoArea) -> Feature {
    let mut props = JsonObject::new();
    props.insert("code".into(), JsonValue::from(area.code.clone()));
    props.insert("name".into(), JsonValue::from(area.name));
    props.insert("name_en".into(), JsonValue::from(area.name_en));
    props.insert("level".into(), JsonValue::from(area.level.as_str()));
    props.insert(
        "parent_code".into(),
        area.parent_code.map_or(JsonValue::Null, JsonValue::from),
    );
    props.insert("synthetic".into(), JsonValue::Bool(true));
    Feature {
        bbox: None,
        geometry: Some(Geometry::new(Value::Polygon(vec![area.rect.ring()]))),
        id: Some(Id::String(area.code)),
        properties: Some(props),
        foreign_members: None,
    }
}

/// The demo area tree as GeoJSON: one Polygon feature per area, parents before children.
pub fn demo_areas() -> FeatureCollection {
    FeatureCollection {
        bbox: None,
        features: build().into_iter().map(to_feature).collect(),
        foreign_members: None,
    }
}

/// (lng, lat) of the centre of a demo grid, or `None` if `grid_code` is not a demo grid.
pub fn demo_point_in_grid(grid_code: &str) -> Option<(f64, f64)> {
    build()
        .into_iter()
        .find(|a| a.level == Level::Grid && a.code == grid_code)
        .map(|a| a.rect.centre())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::{HashMap, HashSet};

    use geo::{Area, BooleanOps, BoundingRect, Contains, Intersects, Point, Polygon};

    use super::*;

    struct Parsed {
        code: String,
        level: String,
        parent: Option<String>,
        polygon: Polygon<f64>,
    }

    /// Reads back what `demo_areas` actually emits, so the checks cover the serialised form.
    fn parsed() -> Vec<Parsed> {
        let fc = demo_areas();
        let json = serde_json::to_string(&fc).unwrap();
        let fc: FeatureCollection = json
            .parse::<geojson::GeoJson>()
            .unwrap()
            .try_into()
            .unwrap();
        fc.features
            .into_iter()
            .map(|f| {
                let p = f.properties.as_ref().unwrap();
                let s = |k: &str| p[k].as_str().unwrap().to_owned();
                assert_eq!(p.len(), 6, "unexpected properties {p:?}");
                assert_eq!(p["synthetic"], JsonValue::Bool(true));
                assert!(!s("name").is_empty() && !s("name_en").is_empty());
                let polygon: Polygon<f64> = f.geometry.clone().unwrap().try_into().unwrap();
                Parsed {
                    code: s("code"),
                    level: s("level"),
                    parent: p["parent_code"].as_str().map(str::to_owned),
                    polygon,
                }
            })
            .collect()
    }

    fn overlap_area(a: &Polygon<f64>, b: &Polygon<f64>) -> f64 {
        a.intersection(b).unsigned_area()
    }

    #[test]
    fn codes_are_unique_and_shaped_by_level() {
        let areas = parsed();
        let mut seen = HashSet::new();
        for a in &areas {
            assert!(seen.insert(a.code.clone()), "duplicate code {}", a.code);
            let len = match a.level.as_str() {
                "city" | "district" => 6,
                "subdistrict" => 9,
                "community" => 12,
                "grid" => 15,
                other => panic!("bad level {other}"),
            };
            assert_eq!(a.code.len(), len, "{}", a.code);
            assert!(a.code.bytes().all(|b| b.is_ascii_digit()));
            if let Some(p) = &a.parent
                && a.level != "district"
            {
                assert!(a.code.starts_with(p.as_str()), "{} under {p}", a.code);
            }
        }
        assert_eq!(areas.iter().filter(|a| a.parent.is_none()).count(), 1);
        assert_eq!(areas[0].code, "410100");
    }

    #[test]
    fn parents_exist_and_come_first() {
        let areas = parsed();
        let mut position = HashMap::new();
        for (i, a) in areas.iter().enumerate() {
            position.insert(a.code.clone(), i);
        }
        let levels = ["city", "district", "subdistrict", "community", "grid"];
        let depth = |l: &str| levels.iter().position(|x| *x == l).unwrap();
        for (i, a) in areas.iter().enumerate() {
            let Some(p) = &a.parent else { continue };
            let pi = *position
                .get(p)
                .unwrap_or_else(|| panic!("{}: no parent {p}", a.code));
            assert!(pi < i, "{} appears before its parent {p}", a.code);
            assert_eq!(depth(&areas[pi].level) + 1, depth(&a.level), "{}", a.code);
        }
    }

    #[test]
    fn rings_are_closed_and_counter_clockwise() {
        for f in demo_areas().features {
            let Some(Value::Polygon(rings)) = f.geometry.map(|g| g.value) else {
                panic!("not a polygon");
            };
            assert_eq!(rings.len(), 1);
            let ring = &rings[0];
            assert_eq!(ring.first(), ring.last());
            let signed: f64 = ring
                .windows(2)
                .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
                .sum();
            assert!(signed > 0.0, "clockwise ring");
        }
    }

    #[test]
    fn children_lie_inside_their_parent() {
        let areas = parsed();
        let by_code: HashMap<_, _> = areas.iter().map(|a| (a.code.as_str(), a)).collect();
        for a in &areas {
            let Some(p) = &a.parent else { continue };
            let parent = by_code[p.as_str()];
            assert!(
                parent.polygon.contains(&a.polygon),
                "{} not inside {p}",
                a.code
            );
            let rest = a.polygon.difference(&parent.polygon).unsigned_area();
            assert!(rest == 0.0, "{} sticks out of {p} by {rest}", a.code);
        }
    }

    #[test]
    fn same_level_areas_do_not_overlap() {
        let areas = parsed();
        for level in ["district", "subdistrict", "community", "grid"] {
            let same: Vec<_> = areas.iter().filter(|a| a.level == level).collect();
            for (i, a) in same.iter().enumerate() {
                for b in &same[i + 1..] {
                    let area = overlap_area(&a.polygon, &b.polygon);
                    assert!(
                        area == 0.0,
                        "{level}s {} and {} overlap by {area}",
                        a.code,
                        b.code
                    );
                    if level != "grid" {
                        // Communities and above are laid out with gaps; touching would mean a
                        // centre was nudged too close to its neighbour.
                        assert!(
                            !a.polygon.intersects(&b.polygon),
                            "{} touches {}",
                            a.code,
                            b.code
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn grids_tile_their_community() {
        let areas = parsed();
        for c in areas.iter().filter(|a| a.level == "community") {
            let grids: Vec<_> = areas
                .iter()
                .filter(|a| a.parent.as_deref() == Some(c.code.as_str()))
                .collect();
            assert!(
                (2..=4).contains(&grids.len()),
                "{} has {} grids",
                c.code,
                grids.len()
            );
            let total: f64 = grids.iter().map(|g| g.polygon.unsigned_area()).sum();
            let whole = c.polygon.unsigned_area();
            assert!(
                (total - whole).abs() < whole * 1e-9,
                "{} not covered",
                c.code
            );
            for (i, g) in grids.iter().enumerate() {
                assert_eq!(g.code, format!("{}{:03}", c.code, i + 1));
            }
        }
    }

    #[test]
    fn subdistricts_stay_near_their_real_location() {
        let areas = parsed();
        for a in areas.iter().filter(|a| a.level == "subdistrict") {
            let r = a.polygon.bounding_rect().unwrap();
            let (w, h) = (r.width(), r.height());
            assert!(w < 0.02 && h < 0.02, "{} is {w}×{h} degrees", a.code);
            let c = r.center();
            let in_zhongyuan = (113.54..113.68).contains(&c.x) && (34.70..34.79).contains(&c.y);
            let in_gongyi = (112.98..113.06).contains(&c.x) && (34.72..34.78).contains(&c.y);
            match &a.code[..6] {
                "410102" => assert!(in_zhongyuan, "{} at {c:?}", a.code),
                "410181" => assert!(in_gongyi, "{} at {c:?}", a.code),
                other => panic!("unknown district {other}"),
            }
        }
    }

    #[test]
    fn point_in_grid_locates_to_that_grid_only() {
        let areas = parsed();
        let grids: Vec<_> = areas.iter().filter(|a| a.level == "grid").collect();
        assert!(!grids.is_empty());
        for g in &grids {
            let (lng, lat) = demo_point_in_grid(&g.code).unwrap();
            let p = Point::new(lng, lat);
            let hits: Vec<_> = grids.iter().filter(|o| o.polygon.contains(&p)).collect();
            assert_eq!(hits.len(), 1, "{}", g.code);
            assert_eq!(hits[0].code, g.code);
        }
        assert_eq!(
            demo_point_in_grid("410102001001"),
            None,
            "a community is not a grid"
        );
        assert_eq!(demo_point_in_grid("999999999999999"), None);
    }

    #[test]
    fn the_tree_has_the_places_of_the_seeds() {
        let names: HashMap<String, String> = demo_areas()
            .features
            .iter()
            .map(|f| {
                let p = f.properties.as_ref().unwrap();
                (
                    p["code"].as_str().unwrap().to_owned(),
                    p["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let expect = [
            ("410100", "郑州市"),
            ("410102", "中原区"),
            ("410102001", "林山寨街道"),
            ("410102001001", "百花社区"),
            ("410102002001", "煤仓街社区"),
            ("410102003001", "观澜社区"),
            ("410102004002", "万达社区"),
            ("410102001001001", "百花社区第1网格"),
            ("410181", "巩义市"),
            ("410181001001", "新兴路社区"),
            ("410181002001", "杜甫路社区"),
            ("410181003001", "永新路社区"),
        ];
        for (code, name) in expect {
            assert_eq!(names.get(code).map(String::as_str), Some(name), "{code}");
        }
    }
}
