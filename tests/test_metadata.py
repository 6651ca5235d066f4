"""Catalogue metadata: vocabularies, jurisdictions, territories, publishers and datasets."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from catalog import jurisdictions, metadata, territories, vocabularies
from catalog.content import DatasetRef
from catalog.errors import ContentError

PUBLISHER = {
    "name": "Ministerio de Desarrollo Social",
    "acronym": "MIDES",
    "kind": "ministry",
    "jurisdiction": {"country": "GT"},
    "website": "https://www.mides.gob.gt",
    "email": "informacionpublica@mides.gob.gt",
    "description": "Rector de la política de desarrollo social.",
}
DESCRIPTOR = {
    "name": "bono-social",
    "title": "Cobertura del Bono Social",
    "description": "Familias usuarias por municipio.",
    "publisher": "mides",
    "keywords": ["bono social"],
    "themes": ["SOCI"],
    "licenses": [{"name": "CC-BY-4.0"}],
    "frequency": "annual",
    "contactPoint": {"name": "Unidad de Información Pública", "email": "uip@mides.gob.gt"},
    "version": "1.0.0",
    "issued": "2024-01-15",
    "modified": "2024-06-30",
    "temporal": {"start": "2023-01-01", "end": "2023-12-31"},
    "spatial": {"country": "GT", "departments": ["16"], "municipalities": ["1601"]},
    "obligations": ["GT-LAIP-10.15"],
    "sources": [{"title": "SNIS"}],
    "resources": [
        {
            "name": "cobertura",
            "path": "data/cobertura.csv",
            "schema": {
                "fields": [{"name": "municipio", "type": "string", "territory": "municipality"}]
            },
        }
    ],
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A content root with one publisher and one dataset folder."""
    (tmp_path / "publishers").mkdir()
    (tmp_path / "publishers" / "mides.yaml").write_text(
        "name: Ministerio de Desarrollo Social\nacronym: MIDES\nkind: ministry\n"
        "jurisdiction: {country: GT}\nemail: uip@mides.gob.gt\n",
        encoding="utf-8",
    )
    (tmp_path / "datasets" / "mides" / "bono-social").mkdir(parents=True)
    return tmp_path


def ref_in(root: Path) -> DatasetRef:
    return DatasetRef("mides", "bono-social", root / "datasets" / "mides" / "bono-social")


def check(root: Path, **changes: object) -> list:
    descriptor = copy.deepcopy(DESCRIPTOR)
    for key, value in changes.items():
        if value is None:
            descriptor.pop(key, None)
        else:
            descriptor[key] = value
    return metadata.check_dataset(descriptor, ref_in(root), root)


def properties(findings: list) -> list[str]:
    return [f.params["property"] for f in findings]


# ---------------------------------------------------------------- good input


def test_a_complete_descriptor_has_no_findings(tree: Path):
    assert check(tree) == []


def test_root_none_skips_the_publisher_lookup(tmp_path: Path):
    ref = DatasetRef("mides", "bono-social", tmp_path / "mides" / "bono-social")
    assert metadata.check_dataset(copy.deepcopy(DESCRIPTOR), ref, None) == []


def test_readme_can_stand_for_the_description(tree: Path):
    (ref_in(tree).folder / "README.md").write_text("# Bono Social\n\nLargo.\n", encoding="utf-8")
    assert check(tree, description=None) == []


# ---------------------------------------------------------------- each required property

REQUIRED = [
    "name",
    "title",
    "publisher",
    "keywords",
    "themes",
    "licenses",
    "frequency",
    "contactPoint",
    "version",
    "issued",
    "modified",
]


@pytest.mark.parametrize("prop", REQUIRED)
def test_each_missing_required_property_is_a_clear_metadata_error(tree: Path, prop: str):
    findings = check(tree, **{prop: None})
    assert properties(findings) == [prop]
    finding = findings[0]
    assert finding.type == "metadata-error" and finding.blocking
    assert (finding.resource, finding.rowNumber, finding.fieldName) == (None, None, None)
    assert finding.dataset == "mides/bono-social"
    assert finding.file == "datasets/mides/bono-social/datapackage.json"
    assert prop in finding.message("en") and finding.fix("en")
    assert finding.message("es") != finding.message("en")  # translated into Spanish


def test_missing_description_without_readme(tree: Path):
    assert properties(check(tree, description=None)) == ["description"]


@pytest.mark.parametrize(
    ("changes", "prop", "words"),
    [
        ({"name": "otro-nombre"}, "name", "does not match its folder"),
        ({"name": "Bono Social"}, "name", "not a valid slug"),
        ({"publisher": "mineduc"}, "publisher", "does not match the parent folder"),
        ({"title": "   "}, "title", "is empty"),
        ({"title": 5}, "title", "must be a text"),
        ({"keywords": []}, "keywords", "at least one"),
        ({"keywords": ["bono", ""]}, "keywords", "non-empty text"),
        ({"keywords": "bono"}, "keywords", "must be a list"),
        ({"themes": ["SOCIAL"]}, "themes", 'Unknown value "SOCIAL"'),
        ({"licenses": [{"name": "GPL-3.0"}]}, "licenses", "GPL-3.0"),
        ({"licenses": ["CC-BY-4.0"]}, "licenses", "Licence 1"),
        ({"frequency": "yearly"}, "frequency", "yearly"),
        (
            {"contactPoint": {"name": "UIP", "email": "not-an-email"}},
            "contactPoint.email",
            "not a valid e-mail",
        ),
        ({"contactPoint": {"email": "uip@mides.gob.gt"}}, "contactPoint.name", "missing"),
        ({"contactPoint": "uip@mides.gob.gt"}, "contactPoint", "must be an object"),
        ({"version": ""}, "version", "is empty"),
        ({"issued": "15/01/2024"}, "issued", "not an ISO date"),
        ({"modified": "2024-02-30"}, "modified", "not an ISO date"),
        ({"issued": "2024-07-01"}, "modified", "is after"),
        ({"temporal": {"start": "2024-01-01", "end": "2023-01-01"}}, "temporal", "starts"),
        ({"temporal": {"end": "2023-01-01"}}, "temporal.start", "missing"),
        ({"temporal": "2023"}, "temporal", "must be an object"),
        ({"spatial": {"country": "GT", "departments": ["23"]}}, "spatial.departments", "23"),
        (
            {"spatial": {"country": "GT", "municipalities": ["1618"]}},
            "spatial.municipalities",
            "1618",
        ),
        ({"spatial": {"country": "GT", "municipalities": [101]}}, "spatial.municipalities", "101"),
        ({"spatial": {"country": "Guatemala"}}, "spatial.country", "ISO country code"),
        ({"obligations": ["GT-LAIP-10.30"]}, "obligations", "GT-LAIP-10.30"),
        ({"obligations": "GT-LAIP-10.4"}, "obligations", "must be a list"),
        ({"sources": [{"path": "https://example.org"}]}, "sources", "Source 1"),
    ],
)
def test_wrong_values_give_a_clear_metadata_error(tree: Path, changes: dict, prop: str, words: str):
    findings = check(tree, **changes)
    assert properties(findings) == [prop], [f.message("en") for f in findings]
    assert words in findings[0].message("en")
    assert findings[0].fix("en")


def test_unknown_publisher_is_reported_with_the_file_to_add(tree: Path):
    (tree / "publishers" / "mides.yaml").unlink()
    findings = check(tree)
    assert properties(findings) == ["publisher"]
    assert "publishers/mides.yaml" in findings[0].message("en")


def test_publisher_file_that_is_not_a_mapping(tree: Path):
    (tree / "publishers" / "mides.yaml").write_text("- a list\n", encoding="utf-8")
    assert "not valid" in check(tree)[0].message("en")


def test_descriptor_that_is_not_an_object(tree: Path):
    findings = metadata.check_dataset(["not", "an", "object"], ref_in(tree), tree)  # type: ignore[arg-type]
    assert properties(findings) == ["descriptor"]
    assert "array" in findings[0].message("en")


def test_other_jurisdictions_obligations_are_known(tree: Path):
    assert check(tree, obligations=["CL-20285-7.d", "PY-5282-8.e", "GT-LAIP-10.29"]) == []


def test_spatial_codes_of_other_countries_are_not_checked_against_guatemala(tree: Path):
    # Chile's list ships (catalog/data/cl_territories.csv): its codes, not Guatemala's.
    assert check(tree, spatial={"country": "CL", "departments": ["13"]}) == []
    (found,) = check(tree, spatial={"country": "CL", "departments": ["RM"]})
    assert "regiones of CL" in found.message("en")
    # A country without a list is not checked.
    assert check(tree, spatial={"country": "SV", "departments": ["RM"]}) == []


def test_territory_fields_must_be_a_known_level_and_a_string(tree: Path):
    resources = [
        {
            "name": "t",
            "path": "data/t.csv",
            "schema": {
                "fields": [
                    {"name": "depto", "type": "integer", "territory": "department"},
                    {"name": "zona", "type": "string", "territory": "zone"},
                ]
            },
        }
    ]
    findings = check(tree, resources=resources)
    assert properties(findings) == ["territory", "territory"]
    assert "integer" in findings[0].message("en") and "zone" in findings[1].message("en")


def test_schema_in_its_own_file_is_read_for_territory_fields(tree: Path):
    folder = ref_in(tree).folder
    (folder / "schema.json").write_text(
        json.dumps({"fields": [{"name": "m", "type": "integer", "territory": "municipality"}]}),
        encoding="utf-8",
    )
    findings = check(tree, resources=[{"name": "t", "path": "data/t.csv", "schema": "schema.json"}])
    assert properties(findings) == ["territory"]


# ---------------------------------------------------------------- publishers


def test_a_good_publisher_has_no_findings():
    assert metadata.check_publisher(PUBLISHER, "mides") == []


def test_a_municipality_publisher_needs_consistent_codes():
    muni = {**PUBLISHER, "kind": "municipality", "jurisdiction": {"country": "GT"}}
    assert sorted(properties(metadata.check_publisher(muni, "muni-coban"))) == [
        "jurisdiction.department",
        "jurisdiction.municipality",
    ]
    muni["jurisdiction"] = {"country": "GT", "department": "16", "municipality": "1601"}
    assert metadata.check_publisher(muni, "muni-coban") == []
    muni["jurisdiction"] = {"country": "GT", "department": "09", "municipality": "1601"}
    assert "not in department 09" in metadata.check_publisher(muni, "muni-coban")[0].message("en")


@pytest.mark.parametrize(
    ("changes", "prop"),
    [
        ({"name": None}, "name"),
        ({"kind": "ministerio"}, "kind"),
        ({"jurisdiction": None}, "jurisdiction"),
        ({"jurisdiction": {"country": "MX"}}, "jurisdiction.country"),
        ({"jurisdiction": {"country": "GT", "department": "99"}}, "jurisdiction.department"),
        ({"email": "uip at mides"}, "email"),
        ({"email": None}, "email"),
        ({"website": "www.mides.gob.gt"}, "website"),
        ({"parent": "mides"}, "parent"),
        ({"acronym": ""}, "acronym"),
    ],
)
def test_publisher_problems(changes: dict, prop: str):
    data = {**PUBLISHER, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    findings = metadata.check_publisher(data, "mides")
    assert properties(findings) == [prop], [f.message("en") for f in findings]
    assert findings[0].type == "metadata-error"
    assert findings[0].file == "publishers/mides.yaml"
    assert findings[0].params["publisher"] == "mides"


def test_publisher_that_is_not_a_mapping():
    findings = metadata.check_publisher(["x"], "mides")
    assert properties(findings) == ["publisher"] and "YAML mapping" in findings[0].message("en")


def test_bad_slug():
    assert "slug" in properties(metadata.check_publisher(PUBLISHER, "MIDES Guatemala"))


def test_load_publishers_reads_every_file(tree: Path):
    (tree / "publishers" / "sesan.yaml").write_text(
        "name: SESAN\nkind: secretariat\njurisdiction: {country: GT}\nemail: a@sesan.gob.gt\n",
        encoding="utf-8",
    )
    loaded = metadata.load_publishers(tree)
    assert sorted(loaded) == ["mides", "sesan"]
    assert loaded["mides"]["acronym"] == "MIDES"
    assert metadata.load_publishers(tree / "nowhere") == {}


def test_malformed_publisher_yaml_is_a_clear_error(tree: Path):
    (tree / "publishers" / "roto.yaml").write_text("name: [unclosed\nkind: x\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        metadata.load_publishers(tree)
    assert "roto.yaml" in caught.value.message("en") and "YAML" in caught.value.message("en")
    findings = metadata.check_publishers(tree)
    assert [f.file for f in findings] == ["publishers/roto.yaml"]
    assert "not valid YAML" in findings[0].message("en")


def test_publisher_yaml_that_is_a_list_is_a_clear_error(tree: Path):
    (tree / "publishers" / "lista.yaml").write_text("- uno\n- dos\n", encoding="utf-8")
    with pytest.raises(ContentError, match="lista.yaml"):
        metadata.load_publishers(tree)


def test_check_publishers_reports_an_unknown_parent(tree: Path):
    (tree / "publishers" / "hija.yaml").write_text(
        "name: Hija\nkind: secretariat\njurisdiction: {country: GT}\nemail: a@b.gt\n"
        "parent: inexistente\n",
        encoding="utf-8",
    )
    findings = metadata.check_publishers(tree)
    assert properties(findings) == ["parent"] and "inexistente" in findings[0].message("en")


# ---------------------------------------------------------------- vocabularies and profiles


def test_vocabularies_have_codes_and_both_labels():
    for name in ("themes", "licenses", "frequencies", "publisher_kinds"):
        entries = vocabularies.vocabulary(name)
        assert entries and len({e["code"] for e in entries}) == len(entries)
        assert all(e["label"]["es"] and e["label"]["en"] for e in entries)


def test_themes_are_the_dcat_ap_data_themes():
    themes = vocabularies.vocabulary("themes")
    assert [t["code"] for t in themes] == [
        "AGRI",
        "ECON",
        "EDUC",
        "ENER",
        "ENVI",
        "GOVE",
        "HEAL",
        "INTR",
        "JUST",
        "REGI",
        "SOCI",
        "TECH",
        "TRAN",
    ]
    assert all(t["uri"].endswith("/data-theme/" + t["code"]) for t in themes)


def test_licences_and_frequencies_carry_what_later_code_needs():
    licences = vocabularies.vocabulary("licenses")
    assert all(e["url"].startswith("https://") and e["open"] for e in licences)
    periods = {e["code"]: e["period"] for e in vocabularies.vocabulary("frequencies")}
    assert periods["annual"] == "P1Y" and periods["monthly"] == "P1M"
    assert periods["irregular"] is None and periods["never"] is None


def test_unknown_vocabulary_is_a_clear_error():
    with pytest.raises(ContentError, match="Unknown vocabulary"):
        vocabularies.vocabulary("../secrets")


def test_jurisdiction_profiles():
    gt, cl, py = (jurisdictions.jurisdiction(c) for c in ("GT", "CL", "PY"))
    assert jurisdictions.jurisdiction() == gt
    assert gt["requests"]["deadline"]["days"] == 10 and gt["requests"]["extension"]["days"] == 10
    assert cl["requests"]["deadline"]["days"] == 20 and cl["requests"]["extension"]["days"] == 10
    assert py["requests"]["deadline"]["days"] == 15 and py["requests"]["extension"] is None
    assert gt["business_days"]["holidays"]["country"] == "GT"
    assert cl["law"]["reference"] == "Ley 20.285"
    ids = [o["id"] for o in gt["active_transparency"]["obligations"]]
    assert ids == [f"GT-LAIP-10.{n}" for n in range(1, 30)]
    assert [o["id"] for o in cl["active_transparency"]["obligations"]][0] == "CL-20285-7.a"
    obligations = gt["active_transparency"]["obligations"]
    assert all(o["title"]["es"] and o["title"]["en"] for o in obligations)
    assert jurisdictions.obligation("GT-LAIP-10.4")["jurisdiction"] == "GT"
    with pytest.raises(ContentError):
        jurisdictions.jurisdiction("XX")


def test_jurisdiction_returns_a_copy():
    jurisdictions.jurisdiction("GT")["requests"]["deadline"]["days"] = 99
    assert jurisdictions.jurisdiction("GT")["requests"]["deadline"]["days"] == 10


def test_territories():
    assert len(territories.departments()) == 22
    assert len(territories.municipalities()) == 340
    assert len(territories.municipalities("01")) == 17
    assert territories.name("16") == "Alta Verapaz" and territories.name("1601") == "Cobán"
    assert territories.is_department("22") and not territories.is_department("23")
    assert territories.is_municipality("2217") and not territories.is_municipality("2218")
    assert not territories.is_municipality("01") and not territories.is_department(1)
    assert territories.name("9999") is None
    assert all(m["code"][:2] == m["department"] for m in territories.municipalities())
