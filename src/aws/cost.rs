//! Which reads cost fewer calls: one DescribeScalingPolicies and one DescribeScheduledActions
//! per target, or both over the whole namespace (all of the account's SageMaker targets in the
//! region, in pages). The namespace's size is known only from listing its targets, so the
//! listing stops as soon as it is too big for namespace reads to pay off.

/// DescribeScalableTargets returns up to 50 targets a page (API reference, MaxResults).
pub(super) const TARGETS_PAGE: usize = 50;
/// DescribeScalingPolicies returns up to 10 policies a page (API reference, MaxResults 1-10).
pub(super) const POLICIES_PAGE: usize = 10;
/// DescribeScheduledActions returns up to 50 actions a page (API reference, MaxResults).
pub(super) const SCHEDULES_PAGE: usize = 50;

/// What a namespace holds per target, for the estimate: the reference setups have two policies
/// and at most one scheduled action per target. Erring high keeps per-target reads when in doubt.
const POLICIES_PER_TARGET: f64 = 2.0;
const SCHEDULES_PER_TARGET: f64 = 1.0;

/// Calls to read `objects` targets' policies and schedules one target at a time (one page
/// each), plus DescribeScalableTargets by id for `named` targets.
pub(super) fn per_target_calls(objects: usize, named: usize) -> usize {
    2 * objects + named.div_ceil(TARGETS_PAGE)
}

fn pages(items: f64, per_page: usize) -> usize {
    ((items / per_page as f64).ceil() as usize).max(1)
}

/// Calls to list the policies and scheduled actions of a namespace of `targets` targets (at
/// least one page each).
pub(super) fn namespace_objects_calls(targets: usize) -> usize {
    let t = targets as f64;
    pages(t * POLICIES_PER_TARGET, POLICIES_PAGE) + pages(t * SCHEDULES_PER_TARGET, SCHEDULES_PAGE)
}

/// Calls to list a namespace of `targets` targets, and its policies and schedules.
pub(super) fn namespace_calls(targets: usize) -> usize {
    pages(targets as f64, TARGETS_PAGE) + namespace_objects_calls(targets)
}

/// Once the namespace's targets are listed: whether its policies and schedules cost fewer calls
/// whole than those of `objects` targets one by one.
pub(super) fn namespace_objects_cheaper(targets: usize, objects: usize) -> bool {
    namespace_objects_calls(targets) < 2 * objects
}

/// Before anything is read: whether a namespace of `targets` targets read whole costs fewer
/// calls than `objects` targets (`named` of them looked up by id) read one by one.
pub(super) fn namespace_is_cheaper(targets: usize, objects: usize, named: usize) -> bool {
    namespace_calls(targets) < per_target_calls(objects, named)
}

/// How many targets the namespace may show before the listing stops: where whole reads stop
/// paying off, and at most `WASTE_FACTOR` times the targets named. Pages listed in vain are
/// sunk calls; capping them keeps a config that is a small part of the namespace within a few
/// percent of reading target by target, while a config that covers a quarter of it or more
/// still reads it whole.
pub(super) fn listing_bound(objects: usize, named: usize) -> usize {
    break_even(objects, named).min(WASTE_FACTOR * named)
}

/// See [`listing_bound`].
const WASTE_FACTOR: usize = 4;

/// The most targets a namespace may hold for its whole reads to still be cheaper.
fn break_even(objects: usize, named: usize) -> usize {
    let mut lo = 0;
    let mut hi = per_target_calls(objects, named) * TARGETS_PAGE;
    // namespace_calls grows with the size: the largest size still cheaper.
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if namespace_is_cheaper(mid, objects, named) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_that_covers_the_namespace_reads_it_whole() {
        // 1,000 endpoints, 1,000 targets: 20 + 200 + 20 calls instead of 2,020.
        assert_eq!(namespace_calls(1000), 240);
        assert!(namespace_is_cheaper(1000, 1000, 1000));
        assert!(namespace_is_cheaper(10, 10, 10));
    }

    #[test]
    fn a_config_that_is_a_small_part_of_the_namespace_reads_its_targets() {
        assert!(!namespace_is_cheaper(2000, 3, 3));
        assert!(!namespace_is_cheaper(1000, 10, 10));
        // The seed alone in its namespace: a tie (3 calls either way) stays per target.
        assert!(!namespace_is_cheaper(1, 1, 1));
        assert!(!namespace_objects_cheaper(1, 1));
        assert!(namespace_objects_cheaper(5, 5));
    }

    #[test]
    fn the_listing_stops_where_the_namespace_stops_paying_off() {
        let even = break_even(100, 100);
        assert!(namespace_is_cheaper(even, 100, 100));
        assert!(!namespace_is_cheaper(even + 1, 100, 100));
        // ... or at four times the config's targets, whichever comes first.
        assert_eq!(listing_bound(100, 100), 400);
        assert_eq!(listing_bound(3, 3), 12, "3 endpoints: the first page tells");
    }
}
