"""Public money: MINFIN budget, procurement and transfers; SEGEPLAN investment, IT and aid."""

from __future__ import annotations

from datetime import date, timedelta

from catalog.demo import fields as f
from catalog.demo.model import SAMPLE, Dataset, Table
from catalog.demo.places import municipal_population, municipalities, rng

# Entity and approved budget for 2024, in millions of quetzales (rounded, illustrative).
ENTITIES = {
    "Ministerio de Educación": 24000,
    "Ministerio de Salud Pública y Asistencia Social": 12500,
    "Ministerio de Comunicaciones, Infraestructura y Vivienda": 7800,
    "Ministerio de Gobernación": 7600,
    "Ministerio de Desarrollo Social": 2300,
    "Ministerio de Agricultura, Ganadería y Alimentación": 1700,
    "Ministerio de la Defensa Nacional": 3900,
    "Ministerio de Finanzas Públicas": 450,
    "Ministerio de Economía": 520,
    "Ministerio de Trabajo y Previsión Social": 1100,
    "Ministerio de Cultura y Deportes": 640,
    "Secretarías y otras dependencias del Ejecutivo": 2600,
    "Obligaciones del Estado a cargo del Tesoro": 32000,
    "Servicios de la Deuda Pública": 16000,
}
SICOIN = {"title": "Sistema de Contabilidad Integrada (SICOIN), MINFIN"}
GUATECOMPRAS = {
    "title": "Sistema de Información de Contrataciones y Adquisiciones del Estado (Guatecompras)",
    "path": "https://www.guatecompras.gt/",
}


def ejecucion_presupuestaria() -> Dataset:
    draw, rows = rng("ejecucion"), []
    # Fiscal 2025 whole and 2026 to November: the last complete month before the demo's today.
    for year, last_month, growth in ((2025, 12, 1.0), (2026, 11, 1.06)):
        for entity, millions in ENTITIES.items():
            approved = millions * 1e6 * growth
            current = approved * draw.uniform(0.98, 1.08)
            spent = 0.0
            for month in range(1, last_month + 1):
                spent += current * draw.uniform(0.055, 0.095)
                spent = min(spent, current * 0.97)
                paid = spent * draw.uniform(0.9, 0.99)
                rows.append([year, month, entity, approved, current, spent, paid])
    table = Table(
        "ejecucion",
        "Ejecución presupuestaria acumulada por entidad",
        "Presupuesto asignado, vigente, devengado y pagado acumulado a cada mes (hoja de "
        "cálculo XLSX).",
        [
            f.year(2025, 2026),
            f.month(),
            f.text("entidad", "Entidad del Presupuesto General.", "Entidad", enum=list(ENTITIES)),
            f.required(f.money("asignado", "Presupuesto aprobado por el Congreso.", "Asignado")),
            f.required(f.money("vigente", "Presupuesto con modificaciones.", "Vigente")),
            f.required(f.money("devengado", "Gasto devengado acumulado al mes.", "Devengado")),
            f.required(f.money("pagado", "Gasto pagado acumulado al mes.", "Pagado")),
        ],
        rows,
        format="xlsx",
        primary_key=["anio", "mes", "entidad"],
    )
    return Dataset(
        "minfin",
        "ejecucion-presupuestaria",
        f"Ejecución presupuestaria mensual del Gobierno Central ({SAMPLE})",
        "Datos de ejemplo: presupuesto asignado, vigente, devengado y pagado por entidad, "
        "acumulado mes a mes en 2025 y 2026.",
        ["presupuesto", "ejecución presupuestaria", "gasto público", "SICOIN", "finanzas"],
        ["ECON", "GOVE"],
        "monthly",
        [table],
        methodology="Reporte de ejecución del SICOIN al cierre de cada mes, por entidad.",
        caveats="Montos en quetzales corrientes; el devengado es acumulado, no del mes.",
        sources=[SICOIN],
        temporal={"start": "2025-01-01", "end": "2026-11-30"},
        spatial={"country": "GT"},
        obligations=["GT-LAIP-10.8"],
        modified="2026-11-30",
        queries={
            "porcentaje_ejecutado": {
                "title": "Porcentaje del presupuesto vigente devengado a diciembre",
                "sql": (
                    "select entidad, round(100.0 * devengado / vigente, 1) as porcentaje "
                    "from ejecucion where anio = 2025 and mes = 12 order by porcentaje"
                ),
            },
        },
    )


METHODS = {
    "Compra de baja cuantía": (2000, 25000),
    "Compra directa": (25000, 90000),
    "Cotización": (90000, 900000),
    "Licitación": (900000, 25000000),
    "Contrato abierto": (50000, 3000000),
}
# What is bought, with its budget line (renglón) of the Manual de Clasificaciones
# Presupuestarias (illustrative).
GOODS = {
    "Medicamentos e insumos médicos": "266",
    "Alimentos para programas sociales": "211",
    "Útiles escolares": "291",
    "Equipo de cómputo": "328",
    "Licencias de software": "158",
    "Mantenimiento de vehículos": "165",
    "Servicio de limpieza": "199",
    "Servicio de vigilancia": "189",
    "Combustible": "262",
    "Mobiliario de oficina": "322",
    "Impresión de material educativo": "122",
    "Construcción de aulas": "331",
    "Reparación de caminos rurales": "171",
    "Servicio de internet": "113",
    "Arrendamiento de equipo": "153",
}
# Fictitious suppliers and fictitious NITs (digits, a hyphen and the check digit).
SUPPLIERS = {
    "Suministros Médicos del Altiplano, S.A.": "4521873-6",
    "Constructora Vial Maya, S.A.": "3398210-K",
    "Tecnología y Redes de Guatemala, S.A.": "5012347-1",
    "Alimentos Nutritivos de Centroamérica, S.A.": "2876543-9",
    "Papelería y Útiles Escolares, S.A.": "6103398-2",
    "Servicios Integrales de Limpieza, S.A.": "7754120-5",
    "Transportes del Norte, S.A.": "1298734-0",
    "Farmacéutica Nacional, S.A.": "8830125-4",
    "Equipos de Oficina Quetzal, S.A.": "4467892-3",
    "Impresos y Publicaciones del Sur, S.A.": "9021456-7",
    "Agroinsumos de Oriente, S.A.": "3345678-8",
    "Seguridad y Vigilancia Integral, S.A.": "6678901-K",
    "Combustibles del Pacífico, S.A.": "2234561-6",
    "Soluciones en la Nube de Centroamérica, S.A.": "9987654-2",
}


def adquisiciones() -> Dataset:
    draw, rows = rng("adquisiciones"), []
    nogs = sorted(draw.sample(range(20000000, 24000000), 300))
    for nog in nogs:
        method = draw.choice(list(METHODS))
        low, high = METHODS[method]
        # December 2025 to November 2026: the twelve months before the demo's today.
        day = date(2025, 12, 1) + timedelta(days=draw.randint(0, 364))
        goods, supplier = draw.choice(list(GOODS)), draw.choice(list(SUPPLIERS))
        rows.append(
            [
                str(nog),
                draw.choice(list(ENTITIES)[:12]),
                method,
                goods,
                GOODS[goods],
                SUPPLIERS[supplier],
                supplier,
                day.isoformat(),
                draw.uniform(low, high),
                draw.choice(["Adjudicado", "Finalizado"]),
            ]
        )
    table = Table(
        "adquisiciones",
        "Procesos de compra adjudicados",
        "Un proceso por fila, con su número de operación en Guatecompras (NOG).",
        [
            f.unique(
                f.text("nog", "Número de Operación Guatecompras.", "NOG", pattern="^[0-9]{8}$")
            ),
            f.text("entidad", "Entidad compradora.", "Entidad", enum=list(ENTITIES)),
            f.text(
                "modalidad",
                "Modalidad de compra (Ley de Contrataciones del Estado).",
                "Modalidad",
                enum=list(METHODS),
            ),
            f.text("descripcion", "Bien, servicio u obra contratada.", "Descripción"),
            f.text(
                "renglon",
                "Renglón presupuestario del gasto.",
                "Renglón",
                pattern="^[0-9]{3}$",
            ),
            f.text(
                "nit_proveedor",
                "NIT de la empresa adjudicada.",
                "NIT del proveedor",
                pattern="^[0-9]+-?[0-9K]$",
            ),
            f.text("proveedor", "Empresa adjudicada (persona jurídica).", "Proveedor"),
            f.day("fecha_adjudicacion", "Fecha de adjudicación.", "Fecha de adjudicación"),
            f.required(f.money("monto_adjudicado", "Monto adjudicado.", "Monto adjudicado")),
            f.text("estado", "Estado del proceso.", "Estado", enum=["Adjudicado", "Finalizado"]),
        ],
        rows,
        primary_key=["nog"],
    )
    return Dataset(
        "minfin",
        "adquisiciones-guatecompras",
        f"Adquisiciones del Estado adjudicadas en Guatecompras ({SAMPLE})",
        "Datos de ejemplo: procesos de compra adjudicados de diciembre de 2025 a noviembre de "
        "2026 por modalidad, entidad, renglón, proveedor y monto.",
        ["compras públicas", "Guatecompras", "contrataciones", "licitaciones", "proveedores"],
        ["ECON", "GOVE"],
        "monthly",
        [table],
        methodology="Procesos con adjudicación publicada en Guatecompras de diciembre de 2025 a "
        "noviembre de 2026. Las columnas siguen la plantilla de transparencia activa de "
        "contrataciones (Decreto 57-2008, art. 10, nums. 11, 20 y 22).",
        caveats="Los proveedores son empresas ficticias y sus NIT inventados; los NOG no "
        "corresponden a procesos reales.",
        sources=[GUATECOMPRAS],
        temporal={"start": "2025-12-01", "end": "2026-11-30"},
        spatial={"country": "GT"},
        obligations=["GT-LAIP-10.11", "GT-LAIP-10.20", "GT-LAIP-10.22"],
        modified="2026-11-30",
    )


def transferencias() -> Dataset:
    draw, rows = rng("transferencias"), []
    people = municipal_population()
    total = sum(people.values())
    for year in (2023, 2024):
        for muni in municipalities():
            share = people[muni] / total
            flat = 1 / len(people)
            constitutional = 5.2e9 * (0.25 * flat + 0.75 * share) * (1.04 if year == 2024 else 1)
            ivapaz = 3.1e9 * (0.3 * flat + 0.7 * share) * draw.uniform(0.98, 1.02)
            vehicles, oil = 0.4e9 * share, 0.25e9 * share
            rows.append(
                [
                    year,
                    muni[:2],
                    muni,
                    constitutional,
                    ivapaz,
                    vehicles,
                    oil,
                    round(constitutional, 2)
                    + round(ivapaz, 2)
                    + round(vehicles, 2)
                    + round(oil, 2),
                ]
            )
    table = Table(
        "transferencias",
        "Transferencias a municipalidades",
        "Transferencias del Gobierno Central a cada municipalidad por año y concepto.",
        [
            f.year(2023, 2024),
            f.department(),
            f.municipality(),
            f.money(
                "aporte_constitucional",
                "Aporte constitucional (10 % de los ingresos ordinarios).",
                "Aporte constitucional",
            ),
            f.money("iva_paz", "Aporte del IVA-PAZ.", "IVA-PAZ"),
            f.money(
                "circulacion_vehiculos",
                "Impuesto de circulación de vehículos.",
                "Circulación de vehículos",
            ),
            f.money("petroleo", "Impuesto a la distribución de petróleo.", "Petróleo"),
            f.money("total", "Suma de los conceptos.", "Total"),
        ],
        rows,
        primary_key=["anio", "municipio"],
    )
    return Dataset(
        "minfin",
        "transferencias-municipales",
        f"Transferencias del Gobierno Central a las municipalidades ({SAMPLE})",
        "Datos de ejemplo: aporte constitucional, IVA-PAZ e impuestos compartidos transferidos "
        "a las 340 municipalidades.",
        [
            "transferencias",
            "municipalidades",
            "aporte constitucional",
            "IVA-PAZ",
            "gobiernos locales",
        ],
        ["GOVE", "ECON", "REGI"],
        "annual",
        [table],
        methodology="Distribución según los criterios de ley (población, partes iguales, "
        "ingresos propios), con montos anuales acreditados.",
        caveats="Los montos se calcularon con la población del demo, no con los índices oficiales.",
        sources=[SICOIN],
        temporal={"start": "2023-01-01", "end": "2024-12-31"},
        spatial={"country": "GT"},
    )


SECTORS = {
    "Educación": "Construcción de escuela primaria",
    "Salud": "Ampliación de puesto de salud",
    "Agua y saneamiento": "Mejoramiento del sistema de agua potable",
    "Transporte": "Mejoramiento de camino rural",
    "Desarrollo urbano y rural": "Construcción de salón comunal",
    "Energía": "Ampliación de red de energía eléctrica",
}
EXECUTORS = [
    "Consejo Departamental de Desarrollo",
    "Municipalidad",
    "Ministerio de Comunicaciones, Infraestructura y Vivienda",
    "Fondo Social",
]
STATES = ["En ejecución", "Finalizado", "Suspendido"]


def inversion_publica() -> Dataset:
    draw, rows = rng("snip"), []
    for code in sorted(draw.sample(range(100000, 300000), 280)):
        sector = draw.choice(list(SECTORS))
        muni = draw.choice(municipalities())
        cost = draw.uniform(250000, 12000000)
        state = draw.choices(STATES, weights=[6, 3, 1])[0]
        progress = 100.0 if state == "Finalizado" else draw.uniform(5, 95)
        rows.append(
            [
                str(code),
                SECTORS[sector],
                sector,
                muni[:2],
                muni,
                draw.choice(EXECUTORS),
                draw.randint(2021, 2024),
                cost,
                cost * progress / 100 * draw.uniform(0.9, 1),
                progress,
                state,
            ]
        )
    table = Table(
        "proyectos",
        "Proyectos de inversión pública",
        "Proyectos registrados en el SNIP con ubicación, costo y avance.",
        [
            f.unique(f.text("snip", "Código SNIP del proyecto.", "SNIP", pattern="^[0-9]{6}$")),
            f.text("nombre", "Nombre del proyecto.", "Nombre"),
            f.text("sector", "Sector de inversión.", "Sector", enum=list(SECTORS)),
            f.department(),
            f.municipality(),
            f.text("ejecutor", "Entidad ejecutora.", "Ejecutor", enum=EXECUTORS),
            f.year(2021, 2024, "anio_inicio"),
            f.money("costo_total", "Costo total aprobado.", "Costo total"),
            f.money("ejecutado", "Monto ejecutado acumulado.", "Ejecutado"),
            f.percent("avance_fisico", "Avance físico.", "Avance físico"),
            f.text("estado", "Estado del proyecto.", "Estado", enum=STATES),
        ],
        rows,
        primary_key=["snip"],
    )
    return Dataset(
        "segeplan",
        "inversion-publica-snip",
        f"Proyectos de inversión pública por municipio ({SAMPLE})",
        "Datos de ejemplo: obras registradas en el Sistema Nacional de Inversión Pública con "
        "ubicación, costo, avance físico y ejecutor.",
        ["inversión pública", "SNIP", "obras", "proyectos", "consejos de desarrollo"],
        ["REGI", "GOVE", "ECON"],
        "quarterly",
        [table],
        methodology="Proyectos con asignación vigente registrados en el SNIP al cierre de 2024.",
        caveats="El avance físico lo reporta la entidad ejecutora y no siempre está verificado.",
        sources=[{"title": "Sistema Nacional de Inversión Pública (SNIP), SEGEPLAN"}],
        temporal={"start": "2021-01-01", "end": "2024-12-31"},
        spatial={"country": "GT"},
    )


DONORS = {
    "Unión Europea": "Donación",
    "Estados Unidos (USAID)": "Donación",
    "Japón (JICA)": "Cooperación técnica",
    "España (AECID)": "Donación",
    "Alemania (GIZ)": "Cooperación técnica",
    "Corea (KOICA)": "Donación",
    "Banco Interamericano de Desarrollo": "Préstamo",
    "Banco Mundial": "Préstamo",
    "Programa Mundial de Alimentos": "Donación",
    "UNICEF": "Cooperación técnica",
}
AID_SECTORS = [
    "Protección social",
    "Educación",
    "Salud",
    "Seguridad alimentaria",
    "Agua y saneamiento",
    "Gobernanza",
]


def cooperacion() -> Dataset:
    draw, rows = rng("cooperacion"), []
    for year in range(2020, 2025):
        for donor, kind in DONORS.items():
            big = kind == "Préstamo"
            rows.append(
                [
                    year,
                    donor,
                    kind,
                    draw.choice(AID_SECTORS),
                    draw.randint(1, 9),
                    draw.uniform(40, 250) * 1e6 if big else draw.uniform(1, 45) * 1e6,
                ]
            )
    table = Table(
        "cooperacion",
        "Cooperación internacional recibida",
        "Montos desembolsados por año y cooperante (JSON).",
        [
            f.year(2020, 2024),
            f.text("cooperante", "Fuente cooperante.", "Cooperante", enum=list(DONORS)),
            f.text(
                "modalidad",
                "Modalidad de la cooperación.",
                "Modalidad",
                enum=sorted(set(DONORS.values())),
            ),
            f.text(
                "sector_principal",
                "Sector que recibió más fondos.",
                "Sector principal",
                enum=AID_SECTORS,
            ),
            f.count("proyectos", "Proyectos activos en el año.", "Proyectos"),
            f.number(
                "desembolsado_usd",
                "Monto desembolsado en dólares estadounidenses (USD).",
                "Desembolsado (USD)",
            ),
        ],
        rows,
        format="json",  # an array of objects, as some agencies publish their reports
        primary_key=["anio", "cooperante"],
    )
    return Dataset(
        "segeplan",
        "cooperacion-internacional",
        f"Cooperación internacional recibida por Guatemala ({SAMPLE})",
        "Datos de ejemplo: desembolsos anuales de cooperación internacional reembolsable y no "
        "reembolsable por cooperante, 2020-2024.",
        ["cooperación internacional", "donaciones", "préstamos", "cooperantes"],
        ["INTR", "ECON"],
        "annual",
        [table],
        methodology="Registro de desembolsos reportados por las fuentes cooperantes.",
        caveats="Los montos de préstamos no incluyen intereses ni comisiones.",
        sources=[{"title": "Sistema de Gestión de la Cooperación Internacional, SEGEPLAN"}],
        temporal={"start": "2020-01-01", "end": "2024-12-31"},
        spatial={"country": "GT"},
    )


def datasets() -> list[Dataset]:
    return [
        ejecucion_presupuestaria(),
        adquisiciones(),
        transferencias(),
        inversion_publica(),
        cooperacion(),
    ]
