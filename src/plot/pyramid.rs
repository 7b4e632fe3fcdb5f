//! A min/max level-of-detail pyramid over one long series, built once, so that any view of it
//! reduces to about the number of pixel columns in time proportional to that number, not to the
//! number of points (M4, [`super::m4`], scans every visible point; this does not).
//!
//! ```text
//!  points    (x, y) as f32, x relative to its chunk's f64 origin     8 bytes a point
//!  level 0   [min, max] of buckets of 8 points   n/8 buckets          8 bytes a bucket
//!  level 1   [min, max] of buckets of 16 points  n/16 buckets         (all levels: n/4 buckets)
//!  …
//!  view [x0, x1] over W columns: at most 8 points a column → the points themselves;
//!  else the level whose buckets are half a column to a column wide (≤ 4 vertices a column);
//!  each bucket draws as (its first x, min) – (its last x, max): a spike is its bucket's max at
//!  every level, so it never disappears when zoomed out.
//! ```
//!
//! **Chunked origins.** x is stored as an f32 relative to the origin of its chunk of [`CHUNK`]
//! points (an f64), not to one origin for the whole series: one f32 offset would quantise
//! 10M points 15 s apart to 16 s steps at the far end, which shows as soon as one zooms in there.
//! Within a chunk the offsets stay small, so a point keeps its place to a few milliseconds; the
//! GPU renderer ([`super::gpu`]) adds each chunk's origin, taken relative to the view in f64, in
//! its vertex shader. Level vertices are chunked the same way ([`Pyramid::vertices`]).
//!
//! 10M points take 100 MB (80 MB of points, 20 MB of levels); `cargo bench --bench plot` prints
//! build and query times.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

/// Vertices per chunk; each chunk's x are relative to its own origin. Even, so that the two
/// vertices of a bucket are always in the same chunk.
pub const CHUNK: usize = 4096;
/// Points in a bucket of level 0; level `l` holds buckets of `BUCKET << l` points.
const BUCKET: usize = 8;
/// A view draws the points themselves while there are at most this many per pixel column.
const RAW_PER_COLUMN: usize = 8;

/// Vertices to draw, in chunks of [`CHUNK`]: vertex `i` is at x = `origins[i / CHUNK] + data[i][0]`.
#[derive(Clone, Debug)]
pub struct Vertices<'a> {
    /// (x relative to its chunk's origin, y) of each vertex.
    pub data: Cow<'a, [[f32; 2]]>,
    /// The x each chunk's vertices are relative to.
    pub origins: Cow<'a, [f64]>,
}

impl Vertices<'_> {
    /// The x of vertex `i`.
    #[must_use]
    pub fn x(&self, i: usize) -> f64 {
        self.origins[i / CHUNK] + f64::from(self.data[i][0])
    }
}

/// What a view of a pyramid draws.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// `None`: the points themselves; `Some(l)`: the buckets of level `l`, two vertices each.
    pub level: Option<usize>,
    /// The vertices of that level to draw, with one neighbour beyond each edge of the view.
    pub range: Range<usize>,
}

/// The pyramid of one series.
#[derive(Debug)]
pub struct Pyramid {
    /// Unique among the pyramids of this process, for caches of what was made from it.
    id: u64,
    /// (x relative to `origins[i / CHUNK]`, y) of each point.
    points: Vec<[f32; 2]>,
    /// The first x of each chunk of points.
    origins: Vec<f64>,
    /// `levels[l]` holds (min, max) of buckets of `BUCKET << l` points.
    levels: Vec<Vec<[f32; 2]>>,
}

fn min_max(a: [f32; 2], b: [f32; 2]) -> [f32; 2] {
    [a[0].min(b[0]), a[1].max(b[1])]
}

impl Pyramid {
    /// Builds the pyramid of `points` (sorted by x, finite).
    #[must_use]
    pub fn new(points: &[[f64; 2]]) -> Pyramid {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let origins: Vec<f64> = points.chunks(CHUNK).map(|c| c[0][0]).collect();
        let mut relative = Vec::with_capacity(points.len());
        for (chunk, &origin) in points.chunks(CHUNK).zip(&origins) {
            relative.extend(chunk.iter().map(|p| [(p[0] - origin) as f32, p[1] as f32]));
        }
        let mut levels: Vec<Vec<[f32; 2]>> = Vec::new();
        if relative.len() > BUCKET {
            levels.push(
                relative
                    .chunks(BUCKET)
                    .map(|c| c.iter().fold([f32::INFINITY, f32::NEG_INFINITY], |a, p| min_max(a, [p[1], p[1]])))
                    .collect(),
            );
        }
        // Each level from the one below it, until one bucket holds everything.
        while let Some(below) = levels.last().filter(|l| l.len() > 1) {
            let level = below.chunks(2).map(|c| c.iter().fold([f32::INFINITY, f32::NEG_INFINITY], |a, &b| min_max(a, b))).collect();
            levels.push(level);
        }
        Pyramid { id: NEXT_ID.fetch_add(1, Ordering::Relaxed), points: relative, origins, levels }
    }

    /// Unique among the pyramids made by this process (a cache key that is never reused).
    #[must_use]
    pub fn id(&self) -> u64 {
        self.id
    }

    /// How many points.
    #[must_use]
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// How many levels above the points.
    #[must_use]
    pub fn levels(&self) -> usize {
        self.levels.len()
    }

    /// Bytes held.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.points.len() * 8 + self.origins.len() * 8 + self.levels.iter().map(|l| l.len() * 8).sum::<usize>()
    }

    /// The x of point `i`.
    #[must_use]
    pub fn x(&self, i: usize) -> f64 {
        self.origins[i / CHUNK] + f64::from(self.points[i][0])
    }

    /// The first and last point of bucket `b` of `level` (the last bucket may be short).
    fn bucket(&self, level: usize, b: usize) -> (usize, usize) {
        let size = BUCKET << level;
        (b * size, ((b + 1) * size - 1).min(self.points.len() - 1))
    }

    /// The first point for which `before(x)` is false (`before` holds for a prefix of the points).
    fn partition(&self, before: impl Fn(f64) -> bool) -> usize {
        let (mut low, mut high) = (0, self.points.len());
        while low < high {
            let middle = low + (high - low) / 2;
            if before(self.x(middle)) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        low
    }

    /// What to draw for the view `[x_min, x_max]` over `columns` pixel columns, or `None` where
    /// the view is empty: the points themselves while at most 8 fall in a column, else the level
    /// whose buckets are half a column to a column wide; either way at most `8 × columns + 2`
    /// vertices.
    #[must_use]
    pub fn plan(&self, x_min: f64, x_max: f64, columns: usize) -> Option<Plan> {
        if self.points.is_empty() || x_max.partial_cmp(&x_min).is_none_or(std::cmp::Ordering::is_lt) {
            return None;
        }
        let start = self.partition(|x| x < x_min).saturating_sub(1);
        let end = (self.partition(|x| x <= x_max) + 1).min(self.points.len());
        if start >= end {
            return None;
        }
        let visible = end - start;
        let columns = columns.max(1);
        if visible <= columns * RAW_PER_COLUMN || self.levels.is_empty() {
            return Some(Plan { level: None, range: start..end });
        }
        let half_column = visible.div_ceil(2 * columns);
        let mut level = 0;
        while BUCKET << level < half_column && level + 1 < self.levels.len() {
            level += 1;
        }
        let size = BUCKET << level;
        Some(Plan { level: Some(level), range: start / size * 2..((end - 1) / size + 1) * 2 })
    }

    /// How many vertices `level` (as in [`Plan::level`]) has: one a point, or two a bucket.
    #[must_use]
    pub fn vertex_count(&self, level: Option<usize>) -> usize {
        level.map_or(self.points.len(), |l| self.levels[l].len() * 2)
    }

    /// The origin of each chunk of [`CHUNK`] vertices of `level`.
    #[must_use]
    pub fn vertex_origins(&self, level: Option<usize>) -> Cow<'_, [f64]> {
        let Some(level) = level else { return Cow::Borrowed(&self.origins) };
        let size = BUCKET << level;
        // Chunk c starts at vertex c·CHUNK, the first of bucket c·CHUNK/2.
        Cow::Owned((0..self.vertex_count(Some(level)).div_ceil(CHUNK)).map(|c| self.x(c * CHUNK / 2 * size)).collect())
    }

    /// Vertices `range` of `level`, x relative to their chunk's origin (`origins`, as
    /// [`Pyramid::vertex_origins`] gives them): the points themselves (borrowed), or two a bucket,
    /// (first x, min) and (last x, max). The GPU plot uploads these a page at a time, once.
    #[must_use]
    pub fn vertex_slice(&self, level: Option<usize>, range: Range<usize>, origins: &[f64]) -> Cow<'_, [[f32; 2]]> {
        let Some(level) = level else { return Cow::Borrowed(&self.points[range]) };
        Cow::Owned(
            range
                .map(|i| {
                    let (b, origin) = (i / 2, origins[i / CHUNK]);
                    let ([low, high], (first, last)) = (self.levels[level][b], self.bucket(level, b));
                    if i % 2 == 0 { [(self.x(first) - origin) as f32, low] } else { [(self.x(last) - origin) as f32, high] }
                })
                .collect(),
        )
    }

    /// All vertices of `level` with their chunks' origins (for tests and benchmarks; the plot
    /// takes them a page at a time).
    #[must_use]
    pub fn vertices(&self, level: Option<usize>) -> Vertices<'_> {
        let origins = self.vertex_origins(level);
        let data = self.vertex_slice(level, 0..self.vertex_count(level), &origins);
        Vertices { data, origins }
    }

    /// The points to draw for the view `[x_min, x_max]` over `columns` pixel columns, for a CPU
    /// plot: the visible points reduced by M4 where they are few, else two per bucket of the
    /// planned level, plus one neighbour beyond each edge so the line reaches it.
    #[must_use]
    pub fn view(&self, x_min: f64, x_max: f64, columns: usize) -> Vec<[f64; 2]> {
        match self.plan(x_min, x_max, columns) {
            None => Vec::new(),
            Some(Plan { level: None, range }) => {
                let points: Vec<[f64; 2]> = range.map(|i| [self.x(i), f64::from(self.points[i][1])]).collect();
                super::m4(&points, x_min, x_max, columns)
            }
            Some(Plan { level: Some(level), range }) => (range.start / 2..range.end / 2)
                .flat_map(|b| {
                    let ([low, high], (first, last)) = (self.levels[level][b], self.bucket(level, b));
                    [[self.x(first), f64::from(low)], [self.x(last), f64::from(high)]]
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_spike_in_ten_million_points_survives_every_zoom() {
        let n = 10_000_000;
        let mut points: Vec<[f64; 2]> = (0..n).map(|i| [f64::from(i) * 15.0, f64::from(i % 13)]).collect();
        points[7_654_321][1] = 500.0;
        let pyramid = Pyramid::new(&points);
        assert!(pyramid.bytes() < 110_000_000, "{} bytes", pyramid.bytes());
        for (from, to) in [(0.0, f64::from(n) * 15.0), (7_000_000.0 * 15.0, 8_000_000.0 * 15.0), (7_654_000.0 * 15.0, 7_655_000.0 * 15.0)] {
            let view = pyramid.view(from, to, 1920);
            assert!(view.len() <= 1920 * 4 + 4, "{}", view.len());
            assert!(view.iter().any(|p| p[1] > 499.0), "the spike vanished in [{from}, {to}]");
            assert!(view.windows(2).all(|w| w[0][0] <= w[1][0]), "x in order");
            let plan = pyramid.plan(from, to, 1920).unwrap();
            assert!(plan.range.len() <= 1920 * 8 + 2, "{plan:?}");
        }
    }

    #[test]
    fn the_gpu_vertices_of_a_plan_are_the_view() {
        let points: Vec<[f64; 2]> = (0..100_000).map(|i| [1.7e9 + f64::from(i) * 60.0, f64::from(i % 17)]).collect();
        let pyramid = Pyramid::new(&points);
        for (from, to) in [(0.0, 99_999.0), (5_000.0, 9_000.0), (5_000.0, 7_000.0)] {
            let (from, to) = (1.7e9 + from * 60.0, 1.7e9 + to * 60.0);
            let plan = pyramid.plan(from, to, 200).unwrap();
            assert!(plan.level.is_some(), "[{from}, {to}] is drawn from a level");
            let vertices = pyramid.vertices(plan.level);
            let gpu: Vec<[f64; 2]> = plan.range.map(|i| [vertices.x(i), f64::from(vertices.data[i][1])]).collect();
            assert_eq!(gpu, pyramid.view(from, to, 200), "[{from}, {to}]");
        }
        // Close up, the GPU draws the points themselves, to the millisecond.
        let plan = pyramid.plan(1.7e9 + 5_000.0 * 60.0, 1.7e9 + 5_100.0 * 60.0, 200).unwrap();
        assert_eq!(plan, Plan { level: None, range: 4_999..5_102 });
        let vertices = pyramid.vertices(None);
        assert!(plan.range.clone().all(|i| (vertices.x(i) - points[i][0]).abs() < 1e-3));
    }

    #[test]
    fn the_far_end_of_a_long_series_keeps_its_times_to_the_millisecond() {
        // 10M runtime samples 15 s apart (almost five years): one f32 from the first point would
        // put the last ones on 16 s steps.
        let n = 10_000_000;
        let points: Vec<[f64; 2]> = (0..n).map(|i| [1.7e9 + f64::from(i) * 15.0, 1.0]).collect();
        let pyramid = Pyramid::new(&points);
        let vertices = pyramid.vertices(None);
        for i in [n as usize - 1, n as usize - 2, 9_876_543] {
            assert!((vertices.x(i) - points[i][0]).abs() < 1e-3, "point {i}: {} against {}", vertices.x(i), points[i][0]);
        }
        for level in [Some(0), Some(3)] {
            let v = pyramid.vertices(level);
            let size = 8 << level.unwrap();
            let last_bucket = v.data.len() / 2 - 1;
            assert!((v.x(2 * last_bucket) - points[last_bucket * size][0]).abs() < 1e-3);
        }
    }

    #[test]
    fn a_close_view_is_the_points_themselves() {
        let points: Vec<[f64; 2]> = (0..100).map(|i| [f64::from(i), f64::from(i * 2)]).collect();
        let pyramid = Pyramid::new(&points);
        assert_eq!(pyramid.view(10.0, 20.0, 800), points[9..22].to_vec());
        assert!(Pyramid::new(&[]).view(0.0, 1.0, 10).is_empty());
        assert!(pyramid.plan(20.0, 10.0, 10).is_none() && pyramid.plan(f64::NAN, 10.0, 10).is_none());
        assert_ne!(Pyramid::new(&points).id(), pyramid.id(), "every pyramid has its own id");
    }
}
