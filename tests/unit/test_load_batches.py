"""How a load_batch run splits partitions into batches that may load at once."""

from orchestration.partitions import batches_by_partner

PARTITIONS = [
    ("spend", "bolton", "2019-05"),
    ("spend", "bolton", "2019-04"),
    ("suppliers", "bolton", ""),
    ("spend", "bury", "2019-04"),
    ("spend", "oldham", "2019-04"),
    ("spend", "oldham", "2019-05"),
    ("spend", "oldham", "2019-06"),
]


def test_a_partner_is_never_split_and_its_months_stay_in_order():
    for workers in (1, 2, 3, 8):
        batches = batches_by_partner(PARTITIONS, workers)
        assert sorted(p for batch in batches for p in batch) == sorted(PARTITIONS)  # nothing lost or doubled
        owners = {}
        for index, batch in enumerate(batches):
            for _, partner, _ in batch:
                assert owners.setdefault(partner, index) == index
            bolton = [p for p in batch if p[1] == "bolton"]
            if bolton:
                assert bolton == [
                    ("suppliers", "bolton", ""),
                    ("spend", "bolton", "2019-04"),
                    ("spend", "bolton", "2019-05"),
                ]


def test_batches_are_no_more_than_workers_or_partners_and_balanced():
    assert len(batches_by_partner(PARTITIONS, 1)) == 1
    two = batches_by_partner(PARTITIONS, 2)
    assert sorted(len(b) for b in two) == [3, 4]  # oldham (3) + bury (1) beside bolton (3)
    assert len(batches_by_partner(PARTITIONS, 8)) == 3  # three partners
    assert batches_by_partner([], 4) == []
