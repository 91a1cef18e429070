"""Rate cards: validation with errors that name the bad key, and how clusters and volumes are priced."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from together_pulumi.review import ClusterFacts, RateCardError, VolumeFacts, load_rate_card, parse_rate_card
from together_pulumi.review.ratecard import HOURS_PER_MONTH, cluster_hourly_cost, commitment, volume_hourly_cost
from together_pulumi.review.tokens import GPU_TYPES, UNKNOWN

ROOT = Path(__file__).resolve().parents[2]

VALID: dict[str, Any] = {
    "currency": "EUR",
    "gpu_hour": {
        "H100_SXM": {"ON_DEMAND": 2, "RESERVED": 1.5, "SCHEDULED_CAPACITY": "1.75", "PREEMPTIBLE": 1},
        "B200_SXM": {"ON_DEMAND": 5},
    },
    "storage_tib_month": 73,
}


def card(**changes: Any) -> Any:
    return parse_rate_card({**VALID, **changes})


def test_the_shipped_example_is_valid_and_marked_as_placeholder() -> None:
    example = load_rate_card(ROOT / "examples" / "rate-card.yaml")
    assert example.placeholder is True
    assert set(example.gpu_hour) == set(GPU_TYPES)
    text = (ROOT / "examples" / "rate-card.yaml").read_text()
    assert "NOT TOGETHER AI'S PRICES" in text


def test_prices_are_decimals() -> None:
    parsed = card()
    assert parsed.gpu_price("H100_SXM", "SCHEDULED_CAPACITY") == Decimal("1.75")
    assert parsed.gpu_price("H100_SXM", "RESERVED") == Decimal("1.5")
    assert parsed.gpu_price("B200_SXM", "RESERVED") is None
    assert parsed.gpu_price("L40_PCIE", "ON_DEMAND") is None
    assert parsed.money(Decimal("1234.5")) == "1,234.50 EUR"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"gpu_hour": {"H100_SXMM": {"ON_DEMAND": 1}}},
            "gpu_hour.H100_SXMM: unknown GPU type 'H100_SXMM'; valid: H100_SXM,",
        ),
        (
            {"gpu_hour": {"H100_SXM": {"ONDEMAND": 1}}},
            "gpu_hour.H100_SXM.ONDEMAND: unknown price kind 'ONDEMAND'; valid: ON_DEMAND, RESERVED, "
            "SCHEDULED_CAPACITY, PREEMPTIBLE",
        ),
        (
            {"gpu_hour": {"H100_SXM": {"ON_DEMAND": -1}}},
            "gpu_hour.H100_SXM.ON_DEMAND: Input should be greater than or equal to 0",
        ),
        ({"gpu_hour": {"H100_SXM": {"ON_DEMAND": "cheap"}}}, "gpu_hour.H100_SXM.ON_DEMAND:"),
        ({"storage_tib_month": "nan"}, "storage_tib_month:"),
        ({"currency": ""}, "currency:"),
        ({"curency": "USD"}, "curency: unknown key; valid keys: currency, placeholder, gpu_hour, storage_tib_month"),
    ],
)
def test_errors_name_the_bad_key(changes: dict[str, Any], expected: str) -> None:
    with pytest.raises(RateCardError) as error:
        card(**changes)
    assert expected in str(error.value)
    assert str(error.value).startswith("rate card is not valid:")


def test_missing_keys_and_wrong_shapes() -> None:
    with pytest.raises(RateCardError, match=r"gpu_hour: required"):
        parse_rate_card({"currency": "USD"})
    with pytest.raises(RateCardError, match="expected a mapping"):
        parse_rate_card(["USD"])


def test_files(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_text("currency: USD\ngpu_hour: {H100_SXM: {ON_DEMAND: 1}}\n")
    assert load_rate_card(path).gpu_price("H100_SXM", "ON_DEMAND") == 1
    path.write_text("currency: [USD\n")
    with pytest.raises(RateCardError, match="not valid YAML"):
        load_rate_card(path)
    path.write_text("currency: USD\ngpu_hour: {H100_SXM: {ON_DEMAND: -2}}\n")
    with pytest.raises(RateCardError, match=rf"rate card {path} is not valid:\n  gpu_hour.H100_SXM.ON_DEMAND"):
        load_rate_card(path)
    with pytest.raises(RateCardError, match="cannot be read"):
        load_rate_card(tmp_path / "missing.yaml")


def cluster(**settings: Any) -> ClusterFacts:
    return ClusterFacts.from_props("train", {"gpu_type": "H100_SXM", "num_gpus": 16, **settings})


def test_on_demand_scheduled_and_reserved_prices() -> None:
    assert cluster_hourly_cost(card(), cluster()).amount == 32
    assert cluster_hourly_cost(card(), cluster(billing_type="SCHEDULED_CAPACITY")).amount == 28
    assert cluster_hourly_cost(card(), cluster(billing_type="RESERVED")).amount == 24
    # 8 reserved at 1.5, the other 8 on demand at 2
    assert cluster_hourly_cost(card(), cluster(billing_type="RESERVED", num_reserved_gpus=8)).amount == 28


def test_preemptible_gpus_and_inline_volumes_add_to_the_cluster() -> None:
    cost = cluster_hourly_cost(card(), cluster(num_preemptible_gpus=8, shared_volume={"size_tib": 10}))
    assert cost.amount == 32 + 8 + Decimal(73 * 10) / HOURS_PER_MONTH


def test_engine_floats_are_counts() -> None:
    assert cluster_hourly_cost(card(), cluster(num_gpus=16.0)).amount == 32


def test_missing_prices_make_the_cost_unknown_and_say_why() -> None:
    cost = cluster_hourly_cost(card(), cluster(gpu_type="B200_SXM", billing_type="RESERVED"))
    assert cost.amount is None
    assert cost.missing == ("the rate card has no gpu_hour price for B200_SXM RESERVED",)
    cost = volume_hourly_cost(card(storage_tib_month=None), VolumeFacts.from_props("data", {"size_tib": 2}))
    assert cost.amount is None and cost.missing == ("the rate card has no storage_tib_month price",)


def test_unknown_values_make_the_cost_unknown() -> None:
    cost = cluster_hourly_cost(card(), cluster(num_gpus="04da6b54-80e4-46f7-96ec-b56ff0331ba9"))
    assert cost.amount is None and cost.missing == ('GpuCluster "train": num_gpus is not known until apply',)
    assert cluster_hourly_cost(card(), cluster(gpu_type=UNKNOWN)).amount is None


def test_zero_gpus_need_no_price() -> None:
    assert cluster_hourly_cost(card(), cluster(gpu_type="L40_PCIE", num_gpus=0)).amount == 0


def test_volume_price_per_hour() -> None:
    assert volume_hourly_cost(card(), VolumeFacts.from_props("d", {"size_tib": 10.0})).amount == 1


def test_commitments_of_prepaid_clusters() -> None:
    reserved = commitment(card(), cluster(billing_type="RESERVED", duration_days=30, num_reserved_gpus=8))
    assert reserved is not None and reserved[0].amount == 8 * Decimal("1.5") * 24 * 30 and reserved[1] == "30 days"
    scheduled = commitment(
        card(),
        cluster(
            billing_type="SCHEDULED_CAPACITY",
            reservation_start_time="2027-01-01T00:00:00Z",
            reservation_end_time="2027-01-03T00:00:00Z",
        ),
    )
    assert scheduled is not None and scheduled[0].amount == 16 * Decimal("1.75") * 48 and scheduled[1] == "48 hours"
    assert commitment(card(), cluster()) is None
    unknown = commitment(card(), cluster(billing_type="RESERVED"))
    assert unknown is not None and unknown[0].amount is None
