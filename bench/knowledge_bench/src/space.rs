//! The generated vectors, shaped as text embeddings are: clustered (passages about the same
//! thing lie together), anisotropic (a few directions carry most of the spread) and
//! normalised. Each passage's and query's vector is a pure function of its number, so the
//! stand-in embedder, the recall check and the Chroma run all see the same ones.

use crate::corpus::Rng;

/// Clusters the vectors fall into.
const CLUSTERS: u64 = 256;

fn gaussian(rng: &mut Rng) -> f32 {
    let u1 = rng.unit().max(1e-12);
    let u2 = rng.unit();
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}

/// How much spread dimension `d` carries: the first few dimensions most.
fn scale(d: usize) -> f32 {
    1.0 / (1.0 + d as f32 / 48.0)
}

fn centroid(cluster: u64, dim: usize) -> Vec<f32> {
    let mut rng = Rng(0xC1A5_7E20 ^ (cluster + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    (0..dim).map(|d| gaussian(&mut rng) * scale(d)).collect()
}

fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

fn member(seed: u64, dim: usize) -> Vec<f32> {
    let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1);
    let cluster = rng.next() % CLUSTERS;
    let centre = centroid(cluster, dim);
    normalised(
        centre
            .iter()
            .enumerate()
            .map(|(d, c)| c + 0.7 * gaussian(&mut rng) * scale(d))
            .collect(),
    )
}

/// Passage `number`'s vector.
pub fn passage(number: usize, dim: usize) -> Vec<f32> {
    member(number as u64 * 2 + 1, dim)
}

/// Query `number`'s vector.
pub fn query(number: usize, dim: usize) -> Vec<f32> {
    member(number as u64 * 2 + 2 + (1 << 40), dim)
}

/// Every passage's vector, one after another.
pub fn all_passages(count: usize, dim: usize) -> Vec<f32> {
    let mut all = Vec::with_capacity(count * dim);
    for number in 0..count {
        all.extend(passage(number, dim));
    }
    all
}

/// The `k` passages nearest `query` by cosine (the vectors are normalised: by dot product),
/// by brute force: the truth recall is measured against.
pub fn exact_top(all: &[f32], dim: usize, query: &[f32], k: usize) -> Vec<usize> {
    let mut best: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
    for (number, vector) in all.chunks_exact(dim).enumerate() {
        let score: f32 = vector.iter().zip(query).map(|(a, b)| a * b).sum();
        if best.len() < k || score > best[best.len() - 1].0 {
            let at = best.partition_point(|(s, _)| *s >= score);
            best.insert(at, (score, number));
            best.truncate(k);
        }
    }
    best.into_iter().map(|(_, number)| number).collect()
}

/// The share of `truth` found in `found`.
pub fn recall(truth: &[usize], found: &[usize]) -> f64 {
    if truth.is_empty() {
        return 1.0;
    }
    truth.iter().filter(|t| found.contains(t)).count() as f64 / truth.len() as f64
}
