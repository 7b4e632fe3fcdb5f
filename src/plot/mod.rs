//! Plot data reduction: plain buffers in, fewer points out. Knows nothing of budgets or egui.
//!
//! A line plot can show at most a few values per pixel column, so handing a plotting library a
//! million points wastes its time: [`m4`] keeps, for each pixel column, the first, lowest,
//! highest and last point (the M4 aggregation of Jugel et al., VLDB 2014). The line drawn
//! through those points covers exactly the pixels the full line would, so nothing visible is
//! lost, and a single-run spike survives because it is its column's maximum.
//!
//! For series too long to scan each frame, [`pyramid::Pyramid`] answers a view in time
//! proportional to the pixels.
//!
//! ```text
//!  full series (x sorted)   ....::::''''..::::''''::..  1 000 000 points
//!  visible x range                [---------------]      binary search: O(log n)
//!  per pixel column               |f min max l|...       4 points × width
//! ```

#[cfg(feature = "gui")]
pub mod gpu;
pub mod pyramid;

/// Points of `points` (sorted by x) inside `[x_min, x_max]`, plus one neighbour on each side so
/// the line runs to the edge, reduced to at most four per column of `columns` equal columns.
#[must_use]
pub fn m4(points: &[[f64; 2]], x_min: f64, x_max: f64, columns: usize) -> Vec<[f64; 2]> {
    let start = points.partition_point(|p| p[0] < x_min).saturating_sub(1);
    let end = (points.partition_point(|p| p[0] <= x_max) + 1).min(points.len());
    if start >= end {
        return Vec::new();
    }
    let visible = &points[start..end];
    let columns = columns.max(1);
    // A view wider than the data (or unbounded) is divided over the data's own span.
    let (x_min, x_max) = (x_min.max(visible[0][0]), x_max.min(visible[visible.len() - 1][0]));
    if visible.len() <= columns * 4 || x_max.partial_cmp(&x_min) != Some(std::cmp::Ordering::Greater) {
        return visible.to_vec();
    }
    let width = (x_max - x_min) / columns as f64;
    let column_of = |x: f64| (((x - x_min) / width).floor().max(-1.0) as i64).min(columns as i64);
    let mut out = Vec::with_capacity(columns * 4 + 2);
    let mut i = 0;
    while i < visible.len() {
        let column = column_of(visible[i][0]);
        let first = i;
        let (mut low, mut high) = (i, i);
        while i < visible.len() && column_of(visible[i][0]) == column {
            if visible[i][1] < visible[low][1] {
                low = i;
            }
            if visible[i][1] > visible[high][1] {
                high = i;
            }
            i += 1;
        }
        let last = i - 1;
        let mut kept = [first, low, high, last];
        kept.sort_unstable();
        let mut previous = usize::MAX;
        for k in kept {
            if k != previous {
                out.push(visible[k]);
                previous = k;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_million_points_become_four_per_column_and_keep_their_spike() {
        let mut points: Vec<[f64; 2]> = (0..1_000_000).map(|i| [f64::from(i), f64::from(i % 7)]).collect();
        points[654_321][1] = 1000.0;
        let reduced = m4(&points, 0.0, 999_999.0, 800);
        assert!(reduced.len() <= 800 * 4 + 2, "{}", reduced.len());
        assert!(reduced.iter().any(|p| p[1] > 999.0));
        assert!(reduced.windows(2).all(|w| w[0][0] < w[1][0]), "x stays in order");
        assert_eq!(reduced.first(), points.first());
        assert_eq!(reduced.last(), points.last());
    }

    #[test]
    fn a_zoomed_view_keeps_only_what_is_visible_and_its_neighbours() {
        let points: Vec<[f64; 2]> = (0..100).map(|i| [f64::from(i), 1.0]).collect();
        let reduced = m4(&points, 10.5, 20.5, 1000);
        assert_eq!(reduced.first().map(|p| p[0]), Some(10.0));
        assert_eq!(reduced.last().map(|p| p[0]), Some(21.0));
        assert!(m4(&[], 0.0, 1.0, 10).is_empty());
    }

    #[test]
    fn an_unbounded_view_is_divided_over_the_data() {
        let points: Vec<[f64; 2]> = (0..10_000).map(|i| [f64::from(i), f64::from(i % 3)]).collect();
        let reduced = m4(&points, f64::MIN, f64::MAX, 100);
        assert!(reduced.len() > 100 && reduced.len() <= 400, "{}", reduced.len());
    }
}
