//! A min/max level-of-detail pyramid over one long series, built once, so that any view of it
//! reduces to about the number of pixel columns in time proportional to that number, not to the
//! number of points (M4, [`super::m4`], scans every visible point; this does not).
//!
//! ```text
//!  level 0   y0 y1 y2 y3 y4 y5 y6 y7 …          the points (x, y as f32: 8 bytes each)
//!  level 1   [min,max] of 2 points  …           n/2 buckets
//!  level 2   [min,max] of 4 points  …           n/4 buckets      (8 bytes a bucket; all levels ≈ n)
//!  …
//!  view [x0, x1] over W columns → the level whose buckets are half a column to a column wide;
//!  each visible bucket draws as (its first x, min) – (its last x, max): a spike is its bucket's max
//!  at every level, so it never disappears when zoomed out.
//! ```
//!
//! 10M points take 160 MB (points and pyramid); `cargo bench --bench frame` prints build and query times.

/// The pyramid of one series.
#[derive(Clone, Debug, Default)]
pub struct Pyramid {
    /// x of each point, relative to `x_origin` (f32 keeps 10M points in 40 MB).
    xs: Vec<f32>,
    /// y of each point.
    ys: Vec<f32>,
    /// The x the relative xs start from.
    x_origin: f64,
    /// `levels[l]` holds (min, max) of buckets of `2^(l+1)` points.
    levels: Vec<Vec<[f32; 2]>>,
}

impl Pyramid {
    /// Builds the pyramid of `points` (sorted by x).
    #[must_use]
    pub fn new(points: &[[f64; 2]]) -> Pyramid {
        let x_origin = points.first().map_or(0.0, |p| p[0]);
        let xs: Vec<f32> = points.iter().map(|p| (p[0] - x_origin) as f32).collect();
        let ys: Vec<f32> = points.iter().map(|p| p[1] as f32).collect();
        let mut levels: Vec<Vec<[f32; 2]>> = Vec::new();
        if ys.len() > 1 {
            levels.push(
                ys.chunks(2).map(|c| c.iter().fold([f32::INFINITY, f32::NEG_INFINITY], |a, &y| [a[0].min(y), a[1].max(y)])).collect(),
            );
        }
        // Each level from the one below it, until one bucket holds everything.
        while let Some(below) = levels.last().filter(|l| l.len() > 1) {
            let level = below
                .chunks(2)
                .map(|c| c.iter().fold([f32::INFINITY, f32::NEG_INFINITY], |a, b| [a[0].min(b[0]), a[1].max(b[1])]))
                .collect();
            levels.push(level);
        }
        Pyramid { xs, ys, x_origin, levels }
    }

    /// How many points.
    #[must_use]
    pub fn len(&self) -> usize {
        self.xs.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.xs.is_empty()
    }

    /// Bytes held.
    #[must_use]
    pub fn bytes(&self) -> usize {
        (self.xs.len() + self.ys.len()) * 4 + self.levels.iter().map(|l| l.len() * 8).sum::<usize>()
    }

    fn x(&self, i: usize) -> f64 {
        self.x_origin + f64::from(self.xs[i])
    }

    /// The x every relative x is measured from.
    #[must_use]
    pub fn x_origin(&self) -> f64 {
        self.x_origin
    }

    /// The points as drawn at `level`: `None` the points themselves, `Some(l)` two a bucket of
    /// level `l` ((first x, min), (last x, max)); x relative to [`Pyramid::x_origin`]. The GPU
    /// plot uploads these once and draws a range of them.
    #[must_use]
    pub fn vertices(&self, level: Option<usize>) -> Vec<[f32; 2]> {
        match level {
            None => self.xs.iter().zip(&self.ys).map(|(&x, &y)| [x, y]).collect(),
            Some(l) => {
                let size = 1usize << (l + 1);
                self.levels[l]
                    .iter()
                    .enumerate()
                    .flat_map(|(b, [low, high])| {
                        let (a, z) = (b * size, ((b + 1) * size).min(self.xs.len()) - 1);
                        [[self.xs[a], *low], [self.xs[z], *high]]
                    })
                    .collect()
            }
        }
    }

    /// What to draw for the view: the level (as in [`Pyramid::vertices`]) and the range of its
    /// vertices, or `None` for an empty view.
    #[must_use]
    pub fn plan(&self, x_min: f64, x_max: f64, columns: usize) -> Option<(Option<usize>, std::ops::Range<usize>)> {
        if self.xs.is_empty() || x_max < x_min {
            return None;
        }
        let (lo, hi) = ((x_min - self.x_origin) as f32, (x_max - self.x_origin) as f32);
        let start = self.xs.partition_point(|&x| x < lo).saturating_sub(1);
        let end = (self.xs.partition_point(|&x| x <= hi) + 1).min(self.xs.len());
        if start >= end {
            return None;
        }
        let visible = end - start;
        let columns = columns.max(1);
        if visible <= columns * 4 {
            return Some((None, start..end));
        }
        let per_column = visible as f64 / columns as f64;
        let level = ((per_column / 2.0).log2().ceil().max(1.0) as usize - 1).min(self.levels.len() - 1);
        let size = 1usize << (level + 1);
        let (first, last) = (start / size, (end - 1) / size);
        Some((Some(level), first * 2..(last + 1) * 2))
    }

    /// The points to draw for the view `[x_min, x_max]` over `columns` pixel columns: every visible
    /// point where they are few, else two per bucket of the level whose buckets are half a column
    /// to a column wide, plus one neighbour outside each edge so the line reaches it.
    #[must_use]
    pub fn view(&self, x_min: f64, x_max: f64, columns: usize) -> Vec<[f64; 2]> {
        match self.plan(x_min, x_max, columns) {
            None => Vec::new(),
            Some((None, range)) => range.map(|i| [self.x(i), f64::from(self.ys[i])]).collect(),
            Some((Some(level), range)) => {
                let size = 1usize << (level + 1);
                (range.start / 2..range.end / 2)
                    .flat_map(|b| {
                        let [low, high] = self.levels[level][b];
                        let (a, z) = (b * size, ((b + 1) * size).min(self.xs.len()) - 1);
                        [[self.x(a), f64::from(low)], [self.x(z), f64::from(high)]]
                    })
                    .collect()
            }
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
        assert!(pyramid.bytes() < 170_000_000, "{} bytes", pyramid.bytes());
        for (from, to) in [(0.0, f64::from(n) * 15.0), (7_000_000.0 * 15.0, 8_000_000.0 * 15.0), (7_654_000.0 * 15.0, 7_655_000.0 * 15.0)] {
            let view = pyramid.view(from, to, 1920);
            assert!(view.len() <= 1920 * 4 + 4, "{}", view.len());
            assert!(view.iter().any(|p| p[1] > 499.0), "the spike vanished in [{from}, {to}]");
            assert!(view.windows(2).all(|w| w[0][0] <= w[1][0]), "x in order");
        }
    }

    #[test]
    fn the_gpu_vertices_of_a_plan_are_the_view() {
        let points: Vec<[f64; 2]> = (0..100_000).map(|i| [f64::from(i), f64::from(i % 17)]).collect();
        let pyramid = Pyramid::new(&points);
        for (from, to) in [(0.0, 99_999.0), (5_000.0, 6_000.0), (5_000.0, 5_100.0)] {
            let (level, range) = pyramid.plan(from, to, 200).unwrap();
            let gpu: Vec<[f64; 2]> = pyramid.vertices(level)[range].iter().map(|p| [f64::from(p[0]), f64::from(p[1])]).collect();
            assert_eq!(gpu, pyramid.view(from, to, 200), "[{from}, {to}]");
        }
    }

    #[test]
    fn a_close_view_is_the_points_themselves() {
        let points: Vec<[f64; 2]> = (0..100).map(|i| [f64::from(i), f64::from(i * 2)]).collect();
        let pyramid = Pyramid::new(&points);
        assert_eq!(pyramid.view(10.0, 20.0, 800), points[9..22].to_vec());
        assert!(Pyramid::new(&[]).view(0.0, 1.0, 10).is_empty());
    }
}
