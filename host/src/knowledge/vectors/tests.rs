use super::*;

type Outcome = Result<(), Box<dyn std::error::Error>>;

const DIM: usize = 32;

fn settings() -> VectorSettings {
    VectorSettings {
        precision: Precision::F16,
        connectivity: 16,
        expansion_add: 128,
        expansion_search: 64,
    }
}

/// A fixed-seed unit vector.
fn vector(seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut v: Vec<f32> = (0..DIM)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 2000) as f32 / 1000.0 - 1.0
        })
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

fn document(id: &str, tags: &[&str], day: i64, seeds: std::ops::Range<u64>) -> DocumentVectors {
    DocumentVectors {
        id: id.to_owned(),
        title: format!("Title of {id}"),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        day: Some(day),
        vectors: seeds
            .enumerate()
            .map(|(position, seed)| (position as u64, vector(seed)))
            .collect(),
    }
}

/// Ten documents of 50 passages; document `d{i}` holds seeds `i*50..i*50+50`.
fn filled(dir: &Path) -> Result<VectorIndex, VectorError> {
    let index = VectorIndex::empty(dir, "m1", DIM, settings())?;
    let changed: Vec<(String, Option<DocumentVectors>)> = (0..10u64)
        .map(|i| {
            let id = format!("d{i}");
            let tag = if i % 2 == 0 { "even" } else { "odd" };
            let doc = document(&id, &[tag], i as i64, i * 50..i * 50 + 50);
            (id, Some(doc))
        })
        .collect();
    index.apply(7, &changed)?;
    Ok(index)
}

#[test]
fn a_passage_is_its_own_nearest_neighbour_and_the_hits_say_where_it_is() -> Outcome {
    let dir = tempfile::tempdir()?;
    let index = filled(dir.path())?;
    assert_eq!(index.len(), 500);
    assert_eq!(index.applied(), 7);
    let hits = index.search(&vector(123), &Filters::default(), 5)?;
    assert_eq!(hits[0].document, "d2");
    assert_eq!(hits[0].title, "Title of d2");
    assert_eq!(hits[0].position, 23);
    assert!((hits[0].score - 1.0).abs() < 1e-3, "{}", hits[0].score);
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    Ok(())
}

#[test]
fn filters_hold_inside_the_index_both_compared_one_by_one_and_in_the_graph() -> Outcome {
    let dir = tempfile::tempdir()?;
    let index = filled(dir.path())?;
    // Passage 123 is in d2 (even): asked among the odd documents, it is not found, but ten
    // odd passages are.
    let odd = Filters {
        tags: vec!["odd".into()],
        ..Filters::default()
    };
    let hits = index.search(&vector(123), &odd, 10)?;
    assert_eq!(hits.len(), 10);
    assert!(
        hits.iter()
            .all(|h| ["d1", "d3", "d5", "d7", "d9"].contains(&h.document.as_str()))
    );
    let one = Filters {
        documents: vec!["d7".into()],
        from_day: Some(7),
        to_day: Some(7),
        ..Filters::default()
    };
    let hits = index.search(&vector(360), &one, 3)?;
    assert_eq!((hits[0].document.as_str(), hits[0].position), ("d7", 10));
    let none = Filters {
        from_day: Some(100),
        ..Filters::default()
    };
    assert!(index.search(&vector(1), &none, 3)?.is_empty());
    Ok(())
}

#[test]
fn filtered_graph_search_keeps_to_the_filter_when_too_many_passages_pass_to_compare_each() -> Outcome
{
    let dir = tempfile::tempdir()?;
    let index = VectorIndex::empty(dir.path(), "m1", DIM, settings())?;
    let changed: Vec<(String, Option<DocumentVectors>)> = (0..3u64)
        .map(|i| {
            let id = format!("big{i}");
            let doc = document(&id, &[], 0, i * 3000..i * 3000 + 3000);
            (id, Some(doc))
        })
        .collect();
    index.apply(1, &changed)?;
    let two = Filters {
        documents: vec!["big0".into(), "big2".into()],
        ..Filters::default()
    };
    // 6000 passages pass: more than are compared one by one.
    let hits = index.search(&vector(6100), &two, 10)?;
    assert_eq!(hits.len(), 10);
    assert_eq!((hits[0].document.as_str(), hits[0].position), ("big2", 100));
    assert!(hits.iter().all(|h| h.document != "big1"));
    Ok(())
}

#[test]
fn a_replaced_document_loses_its_old_passages_and_a_deleted_one_all_of_them() -> Outcome {
    let dir = tempfile::tempdir()?;
    let index = filled(dir.path())?;
    index.apply(
        8,
        &[("d2".into(), Some(document("d2", &["even"], 2, 9000..9003)))],
    )?;
    assert_eq!(index.len(), 453);
    let hits = index.search(&vector(123), &Filters::default(), 1)?;
    assert_ne!(hits[0].document, "d2", "the old passage is gone");
    let hits = index.search(&vector(9001), &Filters::default(), 1)?;
    assert_eq!((hits[0].document.as_str(), hits[0].position), ("d2", 1));
    index.apply(9, &[("d2".into(), None)])?;
    assert_eq!(index.len(), 450);
    assert_eq!(index.applied(), 9);
    let hits = index.search(&vector(9001), &Filters::default(), 5)?;
    assert!(hits.iter().all(|h| h.document != "d2"));
    Ok(())
}

#[test]
fn a_saved_index_opens_as_it_was_and_a_damaged_one_is_refused_with_the_reason() -> Outcome {
    let dir = tempfile::tempdir()?;
    let index = filled(dir.path())?;
    assert!(!index.due_for_saving(), "changed just now: not quiet yet");
    index.save()?;
    let before = index.search(&vector(77), &Filters::default(), 10)?;
    drop(index);
    let OpenedVectors::Current(opened) = VectorIndex::open(dir.path(), "m1", DIM, settings())
    else {
        panic!("the saved index does not open");
    };
    assert_eq!((opened.len(), opened.applied()), (500, 7));
    assert_eq!(opened.search(&vector(77), &Filters::default(), 10)?, before);
    // New keys do not collide with saved ones.
    opened.apply(
        8,
        &[("new".into(), Some(document("new", &[], 0, 5000..5002)))],
    )?;
    assert_eq!(opened.len(), 502);
    drop(opened);

    let unusable = |model: &str, dimension: usize| match VectorIndex::open(
        dir.path(),
        model,
        dimension,
        settings(),
    ) {
        OpenedVectors::Current(_) => panic!("opened"),
        OpenedVectors::Unusable(why) => why,
    };
    assert!(unusable("m2", DIM).contains("`m1`"), "another model");
    assert!(
        unusable("m1", DIM + 1).contains("dimensions"),
        "another dimension"
    );
    let current = std::fs::read_to_string(dir.path().join("CURRENT"))?;
    let graph = dir.path().join(current.trim()).join("graph.usearch");
    let mut bytes = std::fs::read(&graph)?;
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&graph, &bytes)?;
    assert!(unusable("m1", DIM).contains("fails its check"));
    std::fs::remove_file(dir.path().join("CURRENT"))?;
    assert_eq!(unusable("m1", DIM), VectorIndex::NONE);
    Ok(())
}

#[test]
fn saving_again_keeps_one_generation() -> Outcome {
    let dir = tempfile::tempdir()?;
    let index = filled(dir.path())?;
    index.save()?;
    index.apply(8, &[("d1".into(), None)])?;
    index.save()?;
    let generations = std::fs::read_dir(dir.path())?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .count();
    assert_eq!(generations, 1);
    let OpenedVectors::Current(opened) = VectorIndex::open(dir.path(), "m1", DIM, settings())
    else {
        panic!("does not open");
    };
    assert_eq!((opened.len(), opened.applied()), (450, 8));
    Ok(())
}

#[test]
fn vectors_of_another_dimension_are_refused() -> Outcome {
    let dir = tempfile::tempdir()?;
    let index = filled(dir.path())?;
    let mut wrong = document("w", &[], 0, 0..1);
    wrong.vectors[0].1.push(0.5);
    let Err(error) = index.apply(9, &[("w".into(), Some(wrong))]) else {
        panic!("a vector of another dimension was applied");
    };
    assert!(error.to_string().contains("33 dimensions"), "{error}");
    assert_eq!(index.len(), 500, "nothing was applied");
    let Err(error) = index.search(&[0.0; 3], &Filters::default(), 1) else {
        panic!("a query of another dimension was searched");
    };
    assert!(error.to_string().contains("3 dimensions"), "{error}");
    Ok(())
}

#[test]
fn vectors_of_another_dimension_are_refused_whole() {
    let document = |vectors: Vec<(u64, Vec<f32>)>| DocumentVectors {
        id: "a.md".into(),
        title: "A".into(),
        tags: Vec::new(),
        day: None,
        vectors,
    };
    let fitting = vec![("a.md".to_owned(), Some(document(vec![(0, vec![0.1; 3])])))];
    assert!(check_dimensions(&fitting, "m", 3).is_ok());
    let mixed = vec![
        ("a.md".to_owned(), Some(document(vec![(0, vec![0.1; 3])]))),
        ("b.md".to_owned(), None),
        ("c.md".to_owned(), Some(document(vec![(0, vec![0.1; 4])]))),
    ];
    let refused = check_dimensions(&mixed, "m", 3)
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        refused.as_deref(),
        Some("a vector has 4 dimensions; the index of `m` holds 3-dimension vectors")
    );
}
