use linkpool_store::{testing::TestDb, Error, LogCursor};

both_backends!(cursors_are_upserted, block_hashes_for_reorg_detection);

fn hash(n: u8) -> String {
    format!("0x{}", format!("{n:02x}").repeat(32))
}

async fn cursors_are_upserted(db: &TestDb) {
    assert_eq!(db.get_cursor("dr:31337").await.unwrap(), None);
    let c = LogCursor { name: "dr:31337".to_owned(), block_number: 100, block_hash: hash(0xAA).replace("aa", "AA") };
    db.set_cursor(&c).await.unwrap();
    assert_eq!(db.get_cursor("dr:31337").await.unwrap(), Some(LogCursor { block_hash: hash(0xaa), ..c.clone() }));

    // moves backwards too (reorg rewind)
    let rewound = LogCursor { block_number: 95, block_hash: hash(0x95), ..c.clone() };
    db.set_cursor(&rewound).await.unwrap();
    assert_eq!(db.get_cursor("dr:31337").await.unwrap(), Some(rewound.clone()));

    let other = LogCursor { name: "flux:1".to_owned(), block_number: 7, block_hash: hash(7) };
    db.set_cursor(&other).await.unwrap();
    assert_eq!(db.get_cursor("flux:1").await.unwrap(), Some(other));
    assert_eq!(db.get_cursor("dr:31337").await.unwrap(), Some(rewound));

    let err = db.set_cursor(&LogCursor { block_hash: "0xdead".to_owned(), ..c }).await.unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
}

async fn block_hashes_for_reorg_detection(db: &TestDb) {
    for n in 1..=10 {
        db.record_block(31337, n, &hash(n as u8)).await.unwrap();
        db.record_block(1, n, &hash(100 + n as u8)).await.unwrap();
    }
    assert_eq!(db.block_hash(31337, 5).await.unwrap(), Some(hash(5)));
    assert_eq!(db.block_hash(1, 5).await.unwrap(), Some(hash(105)));
    assert_eq!(db.block_hash(31337, 11).await.unwrap(), None);

    // the canonical hash of a height can change
    db.record_block(31337, 10, &hash(0xF0)).await.unwrap();
    assert_eq!(db.block_hash(31337, 10).await.unwrap(), Some(hash(0xf0)));

    db.delete_blocks_from(31337, 8).await.unwrap();
    assert_eq!(db.block_hash(31337, 7).await.unwrap(), Some(hash(7)));
    for n in 8..=10 {
        assert_eq!(db.block_hash(31337, n).await.unwrap(), None);
    }
    db.prune_blocks_below(31337, 3).await.unwrap();
    assert_eq!(db.block_hash(31337, 2).await.unwrap(), None);
    assert_eq!(db.block_hash(31337, 3).await.unwrap(), Some(hash(3)));
    // the other chain is untouched
    for n in 1..=10 {
        assert_eq!(db.block_hash(1, n).await.unwrap(), Some(hash(100 + n as u8)));
    }

    let err = db.record_block(31337, 1, "0x12").await.unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    let err = db.block_hash(u64::MAX, 1).await.unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
}
