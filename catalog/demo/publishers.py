"""The demo's publishers: real Guatemalan institutions, described as ``publishers/<slug>.yaml``."""

from __future__ import annotations

from typing import Any


def _national(name: str, acronym: str, kind: str, domain: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "acronym": acronym,
        "kind": kind,
        "jurisdiction": {"country": "GT"},
        "website": f"https://www.{domain}",
        "email": f"informacionpublica@{domain}",
        "description": description,
    }


def _municipal(
    town: str, department: str, municipality: str, domain: str, description: str
) -> dict[str, Any]:
    return {
        "name": f"Municipalidad de {town}",
        "acronym": f"Muni {town}",
        "kind": "municipality",
        "jurisdiction": {"country": "GT", "department": department, "municipality": municipality},
        "email": f"informacionpublica@{domain}",
        "description": description,
    }


PUBLISHERS: dict[str, dict[str, Any]] = {
    "mides": _national(
        "Ministerio de Desarrollo Social",
        "MIDES",
        "ministry",
        "mides.gob.gt",
        "Rector de la política de desarrollo social; ejecuta los programas sociales Bono Social, "
        "Bolsa Social, Beca Social y Comedor Social, y administra el Sistema Nacional de "
        "Información Social (SNIS).",
    ),
    "mineduc": _national(
        "Ministerio de Educación",
        "MINEDUC",
        "ministry",
        "mineduc.gob.gt",
        "Responsable del sistema educativo nacional: matrícula, establecimientos, docentes y "
        "programas de apoyo como la alimentación escolar.",
    ),
    "mspas": _national(
        "Ministerio de Salud Pública y Asistencia Social",
        "MSPAS",
        "ministry",
        "mspas.gob.gt",
        "Rector de la salud pública; publica estadísticas de servicios, morbilidad y vacunación "
        "del Sistema de Información Gerencial de Salud (SIGSA).",
    ),
    "minfin": _national(
        "Ministerio de Finanzas Públicas",
        "MINFIN",
        "ministry",
        "minfin.gob.gt",
        "Administra el presupuesto del Estado (SICOIN), el sistema de compras Guatecompras y las "
        "transferencias a los gobiernos locales.",
    ),
    "segeplan": _national(
        "Secretaría de Planificación y Programación de la Presidencia",
        "SEGEPLAN",
        "secretariat",
        "segeplan.gob.gt",
        "Órgano de planificación del Estado; administra el Sistema Nacional de Inversión Pública "
        "(SNIP) y registra la cooperación internacional.",
    ),
    "sesan": _national(
        "Secretaría de Seguridad Alimentaria y Nutricional de la Presidencia",
        "SESAN",
        "secretariat",
        "sesan.gob.gt",
        "Coordina el Sistema Nacional de Seguridad Alimentaria y Nutricional y da seguimiento a "
        "la desnutrición aguda y a los precios de los granos básicos.",
    ),
    "ine": _national(
        "Instituto Nacional de Estadística",
        "INE",
        "decentralized-body",
        "ine.gob.gt",
        "Ente rector del Sistema Estadístico Nacional: censos, encuestas, índice de precios y "
        "codificación oficial de departamentos y municipios.",
    ),
    "sosep": _national(
        "Secretaría de Obras Sociales de la Esposa del Presidente",
        "SOSEP",
        "secretariat",
        "sosep.gob.gt",
        "Ejecuta programas sociales para la niñez, las mujeres y las personas mayores, entre "
        "ellos los Hogares Comunitarios.",
    ),
    "muni-guatemala": {
        **_municipal(
            "Guatemala",
            "01",
            "0101",
            "muniguate.com",
            "Gobierno local de la Ciudad de Guatemala: licencias de construcción, "
            "Transmetro y servicios municipales.",
        ),
        "website": "https://www.muniguate.com",
    },
    "muni-quetzaltenango": _municipal(
        "Quetzaltenango",
        "09",
        "0901",
        "muniquetzaltenango.gob.gt",
        "Gobierno local de Quetzaltenango, segunda ciudad del país: servicios públicos "
        "municipales, alumbrado y manejo de residuos.",
    ),
    "muni-coban": _municipal(
        "Cobán",
        "16",
        "1601",
        "municoban.gob.gt",
        "Gobierno local de Cobán, cabecera de Alta Verapaz: agua potable y presupuesto municipal.",
    ),
    "muni-huehuetenango": _municipal(
        "Huehuetenango",
        "13",
        "1301",
        "munihuehuetenango.gob.gt",
        "Gobierno local de Huehuetenango: obras municipales y atención de solicitudes de "
        "información pública.",
    ),
}

# What some bodies do that makes more active-transparency items apply to them
# (catalog/vocabularies/publisher_duties.yaml; applies_to in catalog/jurisdictions/gt.yaml).
DUTIES: dict[str, list[str]] = {
    "mides": ["subsidy-programmes", "beneficiary-goods"],
    "mineduc": ["subsidy-programmes", "beneficiary-goods"],
    "mspas": ["beneficiary-goods"],
    "minfin": ["trusts"],
    "sosep": ["subsidy-programmes"],
}
for _slug, _duties in DUTIES.items():
    PUBLISHERS[_slug]["duties"] = _duties
