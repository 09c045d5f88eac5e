//! Hybrid search: the words' ranking and the meaning's ranking fused by reciprocal rank fusion
//! (each passage scores `weight / (60 + rank)` in each list it is in), which needs no
//! calibration between BM25 scores and cosine similarities.

use std::collections::HashMap;

/// The rank constant of reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009).
pub const RRF_K: f32 = 60.0;

/// A passage of the fused ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Fused {
    /// Its document.
    pub document: String,
    /// Its place in the document.
    pub position: u64,
    /// Its fused score.
    pub score: f32,
    /// Its rank among the words' hits, from 1.
    pub lexical_rank: Option<usize>,
    /// Its rank among the meaning's hits, from 1.
    pub vector_rank: Option<usize>,
}

/// Fuse two rankings (best first) of `(document, position)`, with these weights; the best
/// `top_k`. Ties go to the passage with the better single rank, then to document order, so
/// the answer is the same every time.
pub fn fuse(
    lexical: &[(String, u64)],
    vector: &[(String, u64)],
    (lexical_weight, vector_weight): (f32, f32),
    top_k: usize,
) -> Vec<Fused> {
    let mut fused: HashMap<(String, u64), Fused> = HashMap::new();
    let mut add = |list: &[(String, u64)], weight: f32, is_lexical: bool| {
        for (index, (document, position)) in list.iter().enumerate() {
            let rank = index + 1;
            let entry = fused
                .entry((document.clone(), *position))
                .or_insert_with(|| Fused {
                    document: document.clone(),
                    position: *position,
                    score: 0.0,
                    lexical_rank: None,
                    vector_rank: None,
                });
            entry.score += weight / (RRF_K + rank as f32);
            if is_lexical {
                entry.lexical_rank = Some(rank);
            } else {
                entry.vector_rank = Some(rank);
            }
        }
    };
    add(lexical, lexical_weight, true);
    add(vector, vector_weight, false);
    let best_rank = |f: &Fused| {
        f.lexical_rank
            .unwrap_or(usize::MAX)
            .min(f.vector_rank.unwrap_or(usize::MAX))
    };
    let mut ranked: Vec<Fused> = fused.into_values().filter(|f| f.score > 0.0).collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| best_rank(a).cmp(&best_rank(b)))
            .then_with(|| a.document.cmp(&b.document))
            .then_with(|| a.position.cmp(&b.position))
    });
    ranked.truncate(top_k);
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[(&str, u64)]) -> Vec<(String, u64)> {
        items.iter().map(|(d, p)| ((*d).to_owned(), *p)).collect()
    }

    #[test]
    fn a_passage_both_rankings_find_beats_one_only_the_first_finds() {
        let lexical = list(&[("a", 0), ("b", 0), ("c", 0)]);
        let vector = list(&[("x", 0), ("b", 0), ("y", 0)]);
        let fused = fuse(&lexical, &vector, (1.0, 1.0), 3);
        assert_eq!(fused[0].document, "b");
        assert_eq!(fused[0].lexical_rank, Some(2));
        assert_eq!(fused[0].vector_rank, Some(2));
        assert!((fused[0].score - 2.0 / 62.0).abs() < 1e-6);
        // The two first places tie; the tie goes to document order.
        assert_eq!(
            (fused[1].document.as_str(), fused[2].document.as_str()),
            ("a", "x")
        );
    }

    #[test]
    fn weights_tilt_the_ranking_and_a_zero_weight_leaves_a_list_out() {
        let lexical = list(&[("a", 0)]);
        let vector = list(&[("x", 0)]);
        let words = fuse(&lexical, &vector, (2.0, 1.0), 2);
        assert_eq!(words[0].document, "a");
        let meaning = fuse(&lexical, &vector, (1.0, 2.0), 2);
        assert_eq!(meaning[0].document, "x");
        let only_meaning = fuse(&lexical, &vector, (0.0, 1.0), 2);
        assert_eq!(only_meaning.len(), 1);
        assert_eq!(only_meaning[0].document, "x");
    }

    #[test]
    fn passages_are_told_apart_by_position_and_cut_to_top_k() {
        let lexical = list(&[("a", 0), ("a", 1), ("a", 2)]);
        let fused = fuse(&lexical, &[], (1.0, 1.0), 2);
        assert_eq!(
            fused.iter().map(|f| f.position).collect::<Vec<_>>(),
            vec![0, 1]
        );
    }
}
