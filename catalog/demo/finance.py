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
    for entity, millions in ENTITIES.items():
        approved = millions * 1e6
        current = approved * draw.uniform(0.98, 1.08)
        spent = 0.0
        for month in f.MONTHS:
            spent += current * draw.uniform(0.055, 0.095)
            spent = min(spent, current * 0.97)
            rows.append(
                [2024, month, entity, approved, current, spent, spent * draw.uniform(0.9, 0.99)]
            )
    table = Table(
        "ejecucion",
        "Ejecución presupuestaria acumulada por entidad",
        "Presupuesto asignado, vigente, devengado y pagado acumulado a cada mes (hoja de "
        "cálculo XLSX).",
        [
            f.year(2024, 2024),
            f.month(),
            f.text("entidad", "Entidad del Presupuesto General.", "Entidad", enum=list(ENTITIES)),
            f.money("asignado", "Presupuesto aprobado por el Congreso.", "Asignado"),
            f.money("vigente", "Presupuesto con modificaciones.", "Vigente"),
            f.money("devengado", "Gasto devengado acumulado al mes.", "Devengado"),
            f.money("pagado", "Gasto pagado acumulado al mes.", "Pagado"),
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
        "acumulado mes a mes en 2024.",
        ["presupuesto", "ejecución presupuestaria", "gasto público", "SICOIN", "finanzas"],
        ["ECON", "GOVE"],
        "monthly",
        [table],
        methodology="Reporte de ejecución del SICOIN al cierre de cada mes, por entidad.",
        caveats="Montos en quetzales corrientes; el devengado es acumulado, no del mes.",
        sources=[SICOIN],
        temporal={"start": "2024-01-01", "end": "2024-12-31"},
        spatial={"country": "GT"},
        obligations=["GT-LAIP-10.7", "GT-LAIP-10.8"],
        queries={
            "porcentaje_ejecutado": {
                "title": "Porcentaje del presupuesto vigente devengado a diciembre",
                "sql": (
                    "select entidad, round(100.0 * devengado / vigente, 1) as porcentaje "
                    "from ejecucion where mes = 12 order by porcentaje"
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
GOODS = [
    "Medicamentos e insumos médicos",
    "Alimentos para programas sociales",
    "Útiles escolares",
    "Equipo de cómputo",
    "Licencias de software",
    "Mantenimiento de vehículos",
    "Servicio de limpieza",
    "Servicio de vigilancia",
    "Combustible",
    "Mobiliario de oficina",
    "Impresión de material educativo",
    "Construcción de aulas",
    "Reparación de caminos rurales",
    "Servicio de internet",
    "Arrendamiento de equipo",
]
SUPPLIERS = [
    "Suministros Médicos del Altiplano, S.A.",
    "Constructora Vial Maya, S.A.",
    "Tecnología y Redes de Guatemala, S.A.",
    "Alimentos Nutritivos de Centroamérica, S.A.",
    "Papelería y Útiles Escolares, S.A.",
    "Servicios Integrales de Limpieza, S.A.",
    "Transportes del Norte, S.A.",
    "Farmacéutica Nacional, S.A.",
    "Equipos de Oficina Quetzal, S.A.",
    "Impresos y Publicaciones del Sur, S.A.",
    "Agroinsumos de Oriente, S.A.",
    "Seguridad y Vigilancia Integral, S.A.",
    "Combustibles del Pacífico, S.A.",
    "Soluciones en la Nube de Centroamérica, S.A.",
]


def adquisiciones() -> Dataset:
    draw, rows = rng("adquisiciones"), []
    nogs = sorted(draw.sample(range(20000000, 24000000), 300))
    for nog in nogs:
        method = draw.choice(list(METHODS))
        low, high = METHODS[method]
        day = date(2024, 1, 2) + timedelta(days=draw.randint(0, 360))
        rows.append(
            [
                str(nog),
                draw.choice(list(ENTITIES)[:12]),
                method,
                draw.choice(GOODS),
                draw.choice(SUPPLIERS),
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
            f.text("proveedor", "Empresa adjudicada (persona jurídica).", "Proveedor"),
            f.day("fecha_adjudicacion", "Fecha de adjudicación.", "Fecha de adjudicación"),
            f.money("monto_adjudicado", "Monto adjudicado.", "Monto adjudicado"),
            f.text("estado", "Estado del proceso.", "Estado", enum=["Adjudicado", "Finalizado"]),
        ],
        rows,
        primary_key=["nog"],
    )
    return Dataset(
        "minfin",
        "adquisiciones-guatecompras",
        f"Adquisiciones del Estado adjudicadas en Guatecompras ({SAMPLE})",
        "Datos de ejemplo: procesos de compra adjudicados en 2024 por modalidad, entidad, "
        "proveedor y monto.",
        ["compras públicas", "Guatecompras", "contrataciones", "licitaciones", "proveedores"],
        ["ECON", "GOVE"],
        "monthly",
        [table],
        methodology="Procesos con adjudicación publicada en Guatecompras durante 2024.",
        caveats="Los proveedores son empresas ficticias; los NOG no corresponden a procesos "
        "reales.",
        sources=[GUATECOMPRAS],
        temporal={"start": "2024-01-01", "end": "2024-12-31"},
        spatial={"country": "GT"},
        obligations=["GT-LAIP-10.10", "GT-LAIP-10.11", "GT-LAIP-10.20", "GT-LAIP-10.22"],
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
        obligations=["GT-LAIP-10.18"],
    )


IT_PROJECTS = [
    ("MIDES", "Sistema de Información del Bono Social (SIBS)", "Desarrollo de software"),
    (
        "MIDES",
        "Módulo de cuenta corriente del Sistema Integrado de Programas Sociales",
        "Desarrollo de software",
    ),
    ("MIDES", "Portal del Sistema Nacional de Información Social", "Desarrollo de software"),
    ("MIDES", "Plataforma digital de aprendizaje institucional", "Servicios en la nube"),
    ("MIDES", "Formulario electrónico de solicitud de Beca Social", "Desarrollo de software"),
    ("MIDES", "Renovación del centro de datos", "Infraestructura"),
    ("MINEDUC", "Sistema de Registros Educativos en línea", "Desarrollo de software"),
    ("MINEDUC", "Conectividad de escuelas rurales", "Conectividad"),
    ("MINEDUC", "Sistema de gestión de calidad", "Desarrollo de software"),
    ("MSPAS", "Expediente clínico electrónico", "Desarrollo de software"),
    ("MSPAS", "Red de datos de hospitales", "Conectividad"),
    ("MSPAS", "Sistema de vigilancia epidemiológica", "Desarrollo de software"),
    ("MINFIN", "Firma electrónica avanzada", "Seguridad de la información"),
    ("MINFIN", "Nueva versión de Guatecompras", "Desarrollo de software"),
    ("MINFIN", "Licenciamiento de bases de datos", "Licenciamiento"),
    ("SEGEPLAN", "Módulo de seguimiento del SNIP", "Desarrollo de software"),
    ("SEGEPLAN", "Datos abiertos de cooperación internacional", "Desarrollo de software"),
    ("SESAN", "Sala situacional en línea", "Desarrollo de software"),
    ("SESAN", "Respaldo en la nube", "Servicios en la nube"),
    ("INE", "Captura electrónica de encuestas", "Desarrollo de software"),
    ("INE", "Centro de cómputo censal", "Infraestructura"),
    ("SOSEP", "Registro de Hogares Comunitarios", "Desarrollo de software"),
    ("SOSEP", "Mesa de servicio institucional", "Licenciamiento"),
    ("MIDES", "Intercambio seguro de datos con RENAP", "Seguridad de la información"),
]
IT_STATES = ["Planificación", "En ejecución", "Finalizado", "Suspendido"]
FUNDING = ["Fondos propios", "Préstamo BID", "Préstamo Banco Mundial", "Donación"]


def proyectos_ti() -> Dataset:
    draw, rows = rng("proyectos-ti"), []
    for i, (owner, title, kind) in enumerate(IT_PROJECTS, start=1):
        start = date(2022, 1, 1) + timedelta(days=draw.randint(0, 900))
        end = start + timedelta(days=draw.randint(180, 900))
        state = draw.choices(IT_STATES, weights=[2, 6, 4, 1])[0]
        progress = {"Planificación": 0.0, "Finalizado": 100.0}.get(state, draw.uniform(10, 90))
        budget = round(draw.uniform(0.3, 25) * 1e6, -3)
        rows.append(
            [
                f"TI-{i:03d}",
                owner,
                title,
                kind,
                state,
                start.isoformat(),
                end.isoformat(),
                budget,
                budget * progress / 100 * draw.uniform(0.85, 1.05),
                progress,
                draw.choice(FUNDING),
            ]
        )
    table = Table(
        "proyectos",
        "Cartera de proyectos de tecnología",
        "Un proyecto por registro, en formato JSON (lista de objetos).",
        [
            f.unique(f.text("codigo", "Código del proyecto.", "Código", pattern="^TI-[0-9]{3}$")),
            f.text(
                "institucion",
                "Siglas de la institución responsable.",
                "Institución",
                enum=sorted({p[0] for p in IT_PROJECTS}),
            ),
            f.text("nombre", "Nombre del proyecto.", "Nombre"),
            f.text(
                "tipo",
                "Tipo de inversión en tecnología.",
                "Tipo",
                enum=sorted({p[2] for p in IT_PROJECTS}),
            ),
            f.text("estado", "Estado del proyecto.", "Estado", enum=IT_STATES),
            f.day("fecha_inicio", "Fecha de inicio.", "Inicio"),
            f.day("fecha_fin_prevista", "Fecha prevista de finalización.", "Fin previsto"),
            f.money("presupuesto", "Presupuesto total del proyecto.", "Presupuesto"),
            f.money("ejecutado", "Monto ejecutado a la fecha.", "Ejecutado"),
            f.percent("avance", "Avance del proyecto.", "Avance"),
            f.text("financiamiento", "Fuente de financiamiento.", "Financiamiento", enum=FUNDING),
        ],
        rows,
        format="json",
        primary_key=["codigo"],
    )
    return Dataset(
        "segeplan",
        "proyectos-ti",
        f"Tablero de proyectos de tecnología del Ejecutivo ({SAMPLE})",
        "Datos de ejemplo: cartera de proyectos de tecnologías de la información de las "
        "instituciones del Ejecutivo, con presupuesto, ejecución y avance.",
        ["gobierno electrónico", "tecnología", "proyectos TI", "transformación digital", "tablero"],
        ["TECH", "GOVE"],
        "quarterly",
        [table],
        methodology=(
            "Cada institución reporta trimestralmente sus proyectos de tecnología según el "
            "Programa de Gobierno Electrónico; los nombres se inspiran en los planes "
            "institucionales, las cifras son ficticias."
        ),
        caveats="El ejecutado puede superar el presupuesto cuando hubo ampliaciones.",
        sources=[{"title": "Programas institucionales de gobierno electrónico 2021-2026"}],
        temporal={"start": "2022-01-01", "end": "2025-06-30"},
        spatial={"country": "GT"},
        queries={
            "ejecucion_por_institucion": {
                "title": "Presupuesto y ejecución por institución",
                "sql": (
                    "select institucion, count(*) as proyectos, sum(presupuesto) as "
                    "presupuesto, sum(ejecutado) as ejecutado from proyectos "
                    "group by institucion order by presupuesto desc"
                ),
            },
        },
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
        "Montos desembolsados por año y cooperante.",
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
        proyectos_ti(),
        cooperacion(),
    ]
