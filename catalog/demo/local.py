"""Local governments: the municipalities of Guatemala, Quetzaltenango, Cobán and Huehuetenango."""

from __future__ import annotations

from datetime import date, timedelta

from catalog.demo import fields as f
from catalog.demo.model import SAMPLE, Dataset, Table
from catalog.demo.places import rng
from catalog.demo.social import access_requests

CITY_ZONES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 24, 25]
WORKS = {
    "Construcción nueva": 4,
    "Ampliación": 3,
    "Remodelación": 2,
    "Demolición": 0.5,
    "Muro perimetral": 1,
}


def licencias() -> Dataset:
    draw, rows = rng("licencias"), []
    for month in f.MONTHS:
        for zone in CITY_ZONES:
            busy = 2.5 if zone in (4, 9, 10, 14, 15, 16) else 1.0
            for work, rate in WORKS.items():
                n = int(rate * busy * draw.uniform(0, 1.6))
                if n:
                    area = n * draw.uniform(60, 900 if work == "Construcción nueva" else 250)
                    rows.append([2024, month, zone, work, n, area, area * draw.uniform(2500, 4500)])
    table = Table(
        "licencias",
        "Licencias de construcción autorizadas",
        "Licencias autorizadas por mes, zona y tipo de obra (archivo en Windows-1252, como lo "
        "exporta el sistema antiguo).",
        [
            f.year(2024, 2024),
            f.month(),
            f.Column(
                "zona",
                "integer",
                "Zona de la ciudad.",
                title="Zona",
                constraints={"required": True, "enum": CITY_ZONES},
            ),
            f.text("tipo_obra", "Tipo de obra autorizada.", "Tipo de obra", enum=list(WORKS)),
            f.count("licencias", "Licencias autorizadas.", "Licencias"),
            f.number(
                "area_m2", "Área de construcción autorizada, en metros cuadrados.", "Área (m²)"
            ),
            f.money("valor_estimado", "Valor estimado de las obras.", "Valor estimado"),
        ],
        rows,
        primary_key=["anio", "mes", "zona", "tipo_obra"],
        encoding="windows-1252",
    )
    return Dataset(
        "muni-guatemala",
        "licencias-de-construccion",
        f"Licencias de construcción en la Ciudad de Guatemala ({SAMPLE})",
        "Datos de ejemplo: licencias de construcción autorizadas por mes, zona y tipo de obra en "
        "2024.",
        ["licencias de construcción", "urbanismo", "vivienda", "zonas", "ordenamiento territorial"],
        ["REGI", "ECON"],
        "monthly",
        [table],
        methodology="Expedientes con licencia emitida por la Dirección de Control Territorial.",
        caveats=(
            "El archivo CSV está codificado en Windows-1252 (no UTF-8), declarado con "
            '`"encoding": "windows-1252"`. Solo se listan combinaciones con al menos '
            "una licencia."
        ),
        sources=[{"title": "Dirección de Control Territorial, Municipalidad de Guatemala"}],
        temporal={"start": "2024-01-01", "end": "2024-12-31"},
        spatial={"country": "GT", "departments": ["01"], "municipalities": ["0101"]},
    )


LINES = {
    "Línea 1": 1.0,
    "Línea 2": 0.6,
    "Línea 6": 0.7,
    "Línea 7": 0.9,
    "Línea 12": 1.3,
    "Línea 13": 1.1,
    "Línea 18": 0.8,
}


def transmetro() -> Dataset:
    draw, rows = rng("transmetro"), []
    for year in (2023, 2024):
        for month in f.MONTHS:
            for line, size in LINES.items():
                days = draw.randint(28, 31) if month != 2 else 28
                rows.append(
                    [year, month, line, days, int(days * 18000 * size * draw.uniform(0.9, 1.1))]
                )
    table = Table(
        "pasajeros",
        "Pasajeros del Transmetro por línea",
        "Pasajeros transportados y días de operación por mes y línea.",
        [
            f.year(2023, 2024),
            f.month(),
            f.text("linea", "Línea del Transmetro.", "Línea", enum=list(LINES)),
            f.count("dias_operacion", "Días de operación en el mes.", "Días de operación"),
            f.count(
                "pasajeros", "Pasajeros transportados (validaciones en estaciones).", "Pasajeros"
            ),
        ],
        rows,
        primary_key=["anio", "mes", "linea"],
    )
    return Dataset(
        "muni-guatemala",
        "transmetro-pasajeros",
        f"Pasajeros del Transmetro ({SAMPLE})",
        "Datos de ejemplo: pasajeros mensuales del sistema de autobuses de tránsito rápido "
        "Transmetro, por línea.",
        ["transporte público", "Transmetro", "movilidad", "pasajeros"],
        ["TRAN"],
        "monthly",
        [table],
        methodology="Conteo de ingresos en las estaciones de cada línea.",
        caveats="Los transbordos entre líneas se cuentan una sola vez, en la línea de ingreso.",
        sources=[{"title": "Transmetro, Municipalidad de Guatemala"}],
        temporal={"start": "2023-01-01", "end": "2024-12-31"},
        spatial={"country": "GT", "municipalities": ["0101"]},
    )


XELA_ZONES = [f"Zona {n}" for n in range(1, 12)]


def residuos() -> Dataset:
    draw, rows = rng("residuos-xela"), []
    for month in f.MONTHS:
        for zone in XELA_ZONES:
            homes = draw.uniform(180, 420)
            rows.append([2024, month, zone, homes, homes * draw.uniform(0.1, 0.3), int(homes / 6)])
    table = Table(
        "recoleccion",
        "Recolección de residuos sólidos por zona",
        "Toneladas recolectadas y viajes por mes y zona.",
        [
            f.year(2024, 2024),
            f.month(),
            f.text("zona", "Zona de la ciudad.", "Zona", enum=XELA_ZONES),
            f.number(
                "toneladas_domiciliares",
                "Residuos domiciliares recolectados, en toneladas.",
                "Domiciliares (t)",
                decimals=1,
            ),
            f.number(
                "toneladas_mercados",
                "Residuos de mercados, en toneladas.",
                "Mercados (t)",
                decimals=1,
            ),
            f.count("viajes", "Viajes de camiones recolectores.", "Viajes"),
        ],
        rows,
        primary_key=["anio", "mes", "zona"],
    )
    return Dataset(
        "muni-quetzaltenango",
        "recoleccion-residuos",
        f"Recolección de residuos sólidos en Quetzaltenango ({SAMPLE})",
        "Datos de ejemplo: toneladas de residuos recolectadas y viajes de camiones por mes y zona.",
        ["residuos sólidos", "basura", "recolección", "medio ambiente", "servicios municipales"],
        ["ENVI"],
        "monthly",
        [table],
        methodology="Pesaje de los camiones a la entrada del vertedero municipal.",
        caveats="No incluye residuos recolectados por empresas privadas.",
        sources=[{"title": "Dirección de Servicios Públicos, Municipalidad de Quetzaltenango"}],
        temporal={"start": "2024-01-01", "end": "2024-12-31"},
        spatial={"country": "GT", "departments": ["09"], "municipalities": ["0901"]},
    )


def alumbrado() -> Dataset:
    draw, rows = rng("alumbrado-xela"), []
    for zone in XELA_ZONES:
        lamps, led = draw.randint(600, 2400), 0
        for month in f.MONTHS:
            led = min(lamps, led + draw.randint(10, 60))
            rows.append(
                [
                    2024,
                    month,
                    zone,
                    lamps,
                    led,
                    draw.randint(5, 60),
                    (lamps - led) * 0.1 * 360 + led * 0.05 * 360,
                ]
            )
    table = Table(
        "alumbrado",
        "Alumbrado público por zona",
        "Luminarias, cambio a LED, reparaciones y consumo por mes y zona.",
        [
            f.year(2024, 2024),
            f.month(),
            f.text("zona", "Zona de la ciudad.", "Zona", enum=XELA_ZONES),
            f.count("luminarias", "Luminarias instaladas.", "Luminarias"),
            f.count("luminarias_led", "Luminarias con tecnología LED.", "Luminarias LED"),
            f.count("reparaciones", "Reparaciones atendidas en el mes.", "Reparaciones"),
            f.number(
                "consumo_kwh",
                "Energía consumida estimada, en kilovatios hora.",
                "Consumo (kWh)",
                decimals=0,
            ),
        ],
        rows,
        primary_key=["anio", "mes", "zona"],
    )
    return Dataset(
        "muni-quetzaltenango",
        "alumbrado-publico",
        f"Alumbrado público y consumo de energía en Quetzaltenango ({SAMPLE})",
        "Datos de ejemplo: luminarias, avance del cambio a LED y consumo de energía del "
        "alumbrado público por zona.",
        ["alumbrado público", "energía", "LED", "eficiencia energética"],
        ["ENER", "ENVI"],
        "monthly",
        [table],
        methodology="Inventario de luminarias y consumo estimado con 12 horas diarias.",
        caveats="El consumo es estimado, no medido.",
        sources=[{"title": "Empresa Eléctrica Municipal de Quetzaltenango"}],
        temporal={"start": "2024-01-01", "end": "2024-12-31"},
        spatial={"country": "GT", "municipalities": ["0901"]},
    )


def agua() -> Dataset:
    draw, rows = rng("agua-coban"), []
    for area, homes in (("Urbana", 14000), ("Rural", 6500)):
        for year in (2023, 2024):
            for month in f.MONTHS:
                homes += draw.randint(5, 60)
                m3 = homes * draw.uniform(14, 22)
                rows.append(
                    [
                        year,
                        month,
                        area,
                        homes,
                        draw.randint(5, 60),
                        m3,
                        m3 * (3.5 if area == "Urbana" else 2.0) * draw.uniform(0.85, 0.97),
                    ]
                )
    table = Table(
        "servicio",
        "Servicio municipal de agua potable",
        "Conexiones, consumo facturado y recaudación por mes y área.",
        [
            f.year(2023, 2024),
            f.month(),
            f.text("area", "Área del servicio.", "Área", enum=["Urbana", "Rural"]),
            f.count("conexiones_activas", "Conexiones domiciliares activas.", "Conexiones activas"),
            f.count("conexiones_nuevas", "Conexiones instaladas en el mes.", "Conexiones nuevas"),
            f.number(
                "m3_facturados",
                "Consumo facturado, en metros cúbicos.",
                "m³ facturados",
                decimals=0,
            ),
            f.money("recaudacion", "Cobros del servicio recaudados.", "Recaudación"),
        ],
        rows,
        primary_key=["anio", "mes", "area"],
    )
    return Dataset(
        "muni-coban",
        "agua-potable",
        f"Servicio de agua potable en Cobán ({SAMPLE})",
        "Datos de ejemplo: conexiones, metros cúbicos facturados y recaudación del servicio "
        "municipal de agua potable.",
        ["agua potable", "servicios municipales", "saneamiento", "tarifas"],
        ["ENVI", "REGI"],
        "monthly",
        [table],
        methodology="Sistema comercial del servicio de agua, cierre de cada mes.",
        caveats="Las conexiones rurales administradas por comités comunitarios no se incluyen.",
        sources=[{"title": "Empresa Municipal de Agua, Municipalidad de Cobán"}],
        temporal={"start": "2023-01-01", "end": "2024-12-31"},
        spatial={"country": "GT", "departments": ["16"], "municipalities": ["1601"]},
    )


PROGRAMS = [
    "Actividades centrales",
    "Servicios públicos municipales",
    "Red vial",
    "Agua y saneamiento",
    "Educación",
    "Salud",
    "Desarrollo económico local",
    "Gestión de riesgo",
]
FUNDS = ["Ingresos propios", "Aporte constitucional", "IVA-PAZ", "Préstamos"]


def presupuesto_municipal() -> Dataset:
    draw, rows = rng("presupuesto-coban"), []
    for program in PROGRAMS:
        for fund in FUNDS:
            approved = draw.uniform(0.2, 9) * 1e6
            current = approved * draw.uniform(0.95, 1.15)
            spent = current * draw.uniform(0.55, 0.98)
            rows.append(
                [2024, program, fund, approved, current, spent, spent * draw.uniform(0.9, 1.0)]
            )
    table = Table(
        "presupuesto",
        "Presupuesto municipal por programa y fuente",
        "Asignado, vigente, devengado y pagado al cierre del año.",
        [
            f.year(2024, 2024),
            f.text("programa", "Programa presupuestario.", "Programa", enum=PROGRAMS),
            f.text("fuente", "Fuente de financiamiento.", "Fuente", enum=FUNDS),
            f.required(f.money("asignado", "Presupuesto aprobado por el Concejo.", "Asignado")),
            f.required(f.money("vigente", "Presupuesto con modificaciones.", "Vigente")),
            f.money("devengado", "Gasto devengado.", "Devengado"),
            f.money("pagado", "Gasto pagado.", "Pagado"),
        ],
        rows,
        primary_key=["anio", "programa", "fuente"],
    )
    return Dataset(
        "muni-coban",
        "presupuesto-municipal",
        f"Presupuesto y ejecución de la Municipalidad de Cobán ({SAMPLE})",
        "Datos de ejemplo: presupuesto asignado, vigente y ejecutado por programa y fuente de "
        "financiamiento en 2024.",
        ["presupuesto municipal", "ejecución", "gasto", "finanzas municipales"],
        ["GOVE", "ECON"],
        "annual",
        [table],
        methodology="Reporte de ejecución del sistema de contabilidad municipal (SICOINGL).",
        caveats="Cifras al 31 de diciembre, antes del cierre contable definitivo.",
        sources=[{"title": "Sistema de Contabilidad Integrada para Gobiernos Locales (SICOINGL)"}],
        temporal={"start": "2024-01-01", "end": "2024-12-31"},
        spatial={"country": "GT", "municipalities": ["1601"]},
        obligations=["GT-LAIP-10.7"],
    )


KINDS = {
    "Pavimentación de calle": "Red vial",
    "Introducción de agua potable": "Agua y saneamiento",
    "Construcción de drenaje sanitario": "Agua y saneamiento",
    "Mejoramiento de escuela": "Educación",
    "Construcción de puente vehicular": "Red vial",
    "Ampliación de mercado municipal": "Desarrollo económico local",
    "Construcción de muro de contención": "Gestión de riesgo",
}


# Who builds (fictitious companies, and the municipality's own works unit).
CONTRACTORS = [
    "Dirección Municipal de Planificación (administración)",
    "Construcciones Cuchumatanes, S.A.",
    "Ingeniería y Obras del Occidente, S.A.",
    "Constructora Selegua, S.A.",
]


def obras() -> Dataset:
    draw, rows = rng("obras-huehue"), []
    for i in range(1, 46):
        kind = draw.choice(list(KINDS))
        start = date(2024, 1, 15) + timedelta(days=draw.randint(0, 300))
        cost = draw.uniform(0.15, 4.5) * 1e6
        progress = draw.choice([100.0, draw.uniform(5, 95)])
        rows.append(
            [
                f"OBR-2024-{i:03d}",
                kind,
                KINDS[kind],
                draw.choice(["Casco urbano", "Área rural"]),
                draw.choice(CONTRACTORS),
                int(cost / 1000 * draw.uniform(0.5, 2.0)),
                cost,
                cost * progress / 100,
                progress,
                draw.choice(["Aporte constitucional", "IVA-PAZ", "Consejo de Desarrollo"]),
                start.isoformat(),
                (start + timedelta(days=draw.randint(60, 300))).isoformat(),
                "Finalizada" if progress == 100.0 else "En ejecución",
            ]
        )
    table = Table(
        "obras",
        "Obras municipales 2024",
        "Obras en ejecución o terminadas, con costo, avance y financiamiento.",
        [
            f.unique(
                f.text("codigo", "Código de la obra.", "Código", pattern="^OBR-2024-[0-9]{3}$")
            ),
            f.text("obra", "Tipo de obra.", "Obra", enum=list(KINDS)),
            f.text(
                "programa", "Programa presupuestario.", "Programa", enum=sorted(set(KINDS.values()))
            ),
            f.text(
                "ubicacion",
                "Área donde se ejecuta.",
                "Ubicación",
                enum=["Casco urbano", "Área rural"],
            ),
            f.text("ejecutor", "Empresa o unidad que ejecuta la obra.", "Ejecutor"),
            f.count("beneficiarios", "Personas beneficiarias estimadas.", "Beneficiarios"),
            f.required(f.money("costo_total", "Costo total contratado.", "Costo total")),
            f.money("ejecutado", "Monto pagado a la fecha.", "Ejecutado"),
            f.percent("avance_fisico", "Avance físico.", "Avance físico"),
            f.text(
                "financiamiento",
                "Fuente de financiamiento.",
                "Financiamiento",
                enum=["Aporte constitucional", "IVA-PAZ", "Consejo de Desarrollo"],
            ),
            f.day("fecha_inicio", "Fecha de inicio.", "Inicio"),
            f.day("fecha_fin_prevista", "Fecha prevista de finalización.", "Fin previsto"),
            f.text("estado", "Estado de la obra.", "Estado", enum=["En ejecución", "Finalizada"]),
        ],
        rows,
        primary_key=["codigo"],
    )
    return Dataset(
        "muni-huehuetenango",
        "obras-municipales",
        f"Obras municipales de Huehuetenango ({SAMPLE})",
        "Datos de ejemplo: listado de obras en ejecución o ejecutadas con fondos públicos, con "
        "costo, avance físico y fuente de financiamiento.",
        ["obras públicas", "infraestructura", "inversión municipal", "transparencia activa"],
        ["REGI", "GOVE"],
        "quarterly",
        [table],
        methodology="Registro de la Dirección Municipal de Planificación (DMP).",
        caveats="El avance físico es el del último informe de supervisión.",
        sources=[{"title": "Dirección Municipal de Planificación, Municipalidad de Huehuetenango"}],
        temporal={"start": "2024-01-01", "end": "2024-12-31"},
        spatial={"country": "GT", "departments": ["13"], "municipalities": ["1301"]},
        obligations=["GT-LAIP-10.18"],
    )


def datasets() -> list[Dataset]:
    return [
        licencias(),
        transmetro(),
        residuos(),
        alumbrado(),
        agua(),
        presupuesto_municipal(),
        obras(),
        access_requests("muni-huehuetenango", "Municipalidad de Huehuetenango", 8, (2023, 2024)),
    ]
