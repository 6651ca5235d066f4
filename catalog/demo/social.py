"""Social programmes and food security: MIDES, SOSEP and SESAN datasets."""

from __future__ import annotations

from catalog.demo import fields as f
from catalog.demo.model import SAMPLE, Dataset, Table
from catalog.demo.places import (
    DEPARTMENT_POPULATION,
    PRIORITY_DEPARTMENTS,
    at_least,
    departments,
    municipal_population,
    municipalities,
    rng,
)

COUNT_PRIVACY = "Conteos menores de 5 se publican como 0 (celdas pequeñas suprimidas)."
SNIS = {
    "title": "Sistema Nacional de Información Social (SNIS), MIDES",
    "path": "http://snis.mides.gob.gt/",
}


def bono_social() -> Dataset:
    draw, rows = rng("bono-social"), []
    modes = {"Salud": 0.45, "Educación": 0.45, "Crecer Sano": 0.10}
    for year in (2023, 2024):
        for dept in PRIORITY_DEPARTMENTS:
            for muni in municipalities(dept):
                families = municipal_population()[muni] / 5 * draw.uniform(0.05, 0.16)
                for mode, share in modes.items():
                    n = at_least(families * share * draw.uniform(0.8, 1.2))
                    rows.append([year, dept, muni, mode, n, n * 1500 * draw.uniform(0.9, 1.0)])
    table = Table(
        "cobertura",
        "Familias usuarias del Bono Social por municipio",
        "Familias usuarias y monto transferido por año, municipio y modalidad.",
        [
            f.year(2023, 2024),
            f.department(),
            f.municipality(),
            f.text("modalidad", "Intervención del programa.", "Modalidad", enum=list(modes)),
            f.count(
                "familias_usuarias",
                "Familias que recibieron al menos una transferencia.",
                "Familias usuarias",
            ),
            f.money(
                "monto_transferido", "Suma de las transferencias del año.", "Monto transferido"
            ),
        ],
        rows,
        primary_key=["anio", "municipio", "modalidad"],
        privacy={"countFields": ["familias_usuarias"], "minCellSize": 5},
    )
    return Dataset(
        "mides",
        "bono-social-cobertura",
        f"Cobertura del Bono Social por municipio ({SAMPLE})",
        "Datos de ejemplo: familias usuarias del programa Bono Social (transferencias monetarias "
        "condicionadas en salud y educación) por municipio, modalidad y año.",
        [
            "bono social",
            "transferencias monetarias condicionadas",
            "programas sociales",
            "protección social",
            "SNIS",
        ],
        ["SOCI"],
        "quarterly",
        [table],
        methodology=(
            "Conteo de familias con al menos una transferencia acreditada en el año, según el "
            "Sistema Integrado de Programas Sociales (SIPS), agregado por municipio de residencia "
            "y modalidad (Salud, Educación y Crecer Sano). El monto es la suma de las "
            "transferencias acreditadas en el año."
        ),
        caveats=(
            f"{COUNT_PRIVACY} Solo se incluyen los departamentos priorizados por el "
            "programa. Una familia puede aparecer en más de una modalidad."
        ),
        sources=[SNIS, {"title": "Sistema Integrado de Programas Sociales (SIPS), MIDES"}],
        temporal={"start": "2023-01-01", "end": "2024-12-31"},
        spatial={"country": "GT", "departments": PRIORITY_DEPARTMENTS},
        queries={
            "familias_por_departamento": {
                "title": "Familias usuarias por departamento y año",
                "sql": (
                    "select c.anio, c.departamento, d.nombre, "
                    "sum(c.familias_usuarias) as familias "
                    "from cobertura c join ine__territorios__departamentos d "
                    "on d.codigo = c.departamento "
                    "group by c.anio, c.departamento, d.nombre order by c.anio, familias desc"
                ),
            },
            "municipios_con_mas_familias": {
                "title": "Municipios con más familias usuarias en 2024",
                "sql": (
                    "select c.municipio, m.nombre, sum(c.familias_usuarias) as familias "
                    "from cobertura c join ine__territorios__municipios m "
                    "on m.codigo = c.municipio where c.anio = 2024 "
                    "group by c.municipio, m.nombre order by familias desc limit 20"
                ),
            },
        },
    )


def bolsa_social() -> Dataset:
    draw, rows = rng("bolsa-social"), []
    months = [(y, m) for y in (2024, 2025) for m in f.MONTHS if (y, m) < (2025, 12)]
    for year, month in months + f.RECENT_MONTHS:
        for muni in municipalities("01"):
            n = at_least(municipal_population()[muni] / 5 * draw.uniform(0.004, 0.012))
            rows.append(
                [
                    year,
                    month,
                    "Bolsa Social",
                    muni[:2],
                    muni,
                    n,
                    n * 250.0 * draw.uniform(0.97, 1.0),
                ]
            )
    table = Table(
        "entregas",
        "Acreditamientos mensuales de la Bolsa Social",
        "Familias con tarjeta acreditada y monto acreditado por mes y municipio "
        "(archivo con punto y coma y coma decimal, como lo exporta una hoja de cálculo).",
        [
            f.year(2024, 2026),
            f.month(),
            f.text("programa", "Programa social.", "Programa", enum=["Bolsa Social"]),
            f.department(),
            f.municipality(),
            f.required(
                f.count(
                    "beneficiarios",
                    "Familias con acreditamiento en el mes.",
                    "Familias acreditadas",
                )
            ),
            f.required(
                f.money(
                    "monto_entregado",
                    "Monto acreditado en las tarjetas en el mes.",
                    "Monto acreditado",
                    decimalChar=",",
                )
            ),
        ],
        rows,
        primary_key=["anio", "mes", "municipio"],
        delimiter=";",
        decimal_comma=True,
        privacy={"countFields": ["beneficiarios"], "minCellSize": 5},
    )
    return Dataset(
        "mides",
        "bolsa-social-entregas",
        f"Entregas de la Bolsa Social en el departamento de Guatemala ({SAMPLE})",
        "Datos de ejemplo: familias acreditadas y montos mensuales del programa Bolsa Social "
        "(tarjeta para alimentos) en los 17 municipios del departamento de Guatemala.",
        ["bolsa social", "alimentos", "tarjeta", "transferencias", "programas sociales"],
        ["SOCI", "AGRI"],
        "monthly",
        [table],
        methodology=(
            "Cada mes se cuentan las familias cuya tarjeta de débito recibió el acreditamiento "
            "para adquirir productos de la canasta básica, por municipio de residencia. Las "
            "columnas siguen la plantilla de transparencia activa de programas de subsidios "
            "(Decreto 57-2008, art. 10, num. 15)."
        ),
        caveats=(
            f"{COUNT_PRIVACY} El archivo usa `;` como separador y coma decimal "
            "(`1234,50`), declarados en el descriptor (`dialect` y `decimalChar`)."
        ),
        sources=[SNIS],
        temporal={"start": "2024-01-01", "end": "2026-11-30"},
        spatial={"country": "GT", "departments": ["01"], "municipalities": municipalities("01")},
        obligations=["GT-LAIP-10.15"],
        version="3.0.0",
        modified="2026-11-30",
    )


def comedores_sociales() -> Dataset:
    draw = rng("comedores")
    towns = sorted(
        draw.sample([m for m in municipalities() if municipal_population()[m] > 60000], 28)
    )
    kitchens, servings = [], []
    for i, town in enumerate(towns, start=1):
        code, capacity = f"CS-{i:03d}", draw.choice([300, 400, 500, 600, 800])
        closed = i % 9 == 0
        kitchens.append(
            [
                code,
                town[:2],
                town,
                draw.choice(["Urbana", "Rural"]),
                capacity,
                "Cerrado temporalmente" if closed else "En funcionamiento",
                f"20{draw.randint(12, 22)}-{draw.randint(1, 12):02d}-01",
            ]
        )
        for year in (2023, 2024):
            for month in f.MONTHS:
                days = 0 if closed and year == 2024 and month > 9 else draw.randint(20, 23)
                servings.append(
                    [code, year, month, days, int(days * capacity * draw.uniform(0.7, 1.0))]
                )
    return Dataset(
        "mides",
        "comedores-sociales",
        f"Comedores sociales y raciones servidas ({SAMPLE})",
        "Datos de ejemplo: los comedores del programa Comedor Social y las raciones de comida "
        "servidas cada mes en cada uno.",
        ["comedor social", "raciones", "alimentación", "seguridad alimentaria"],
        ["SOCI", "HEAL"],
        "monthly",
        [_kitchens(kitchens), _servings(servings)],
        methodology=(
            "El catálogo de comedores proviene del registro de sedes del programa; las raciones "
            "servidas se reportan cada mes por el coordinador de cada comedor. Las dos tablas se "
            "relacionan por el código del comedor (clave foránea `raciones.comedor`)."
        ),
        caveats="Los comedores cerrados temporalmente reportan 0 días de servicio.",
        sources=[SNIS],
        temporal={"start": "2023-01-01", "end": "2024-12-31"},
        spatial={"country": "GT", "municipalities": towns},
        queries={
            "raciones_por_comedor": {
                "title": "Raciones servidas por comedor en 2024",
                "sql": (
                    "select c.codigo, c.municipio, c.estado, sum(r.raciones_servidas) "
                    "as raciones from comedores c join raciones r on r.comedor = c.codigo "
                    "where r.anio = 2024 group by c.codigo, c.municipio, c.estado "
                    "order by raciones desc"
                ),
            },
        },
    )


def _kitchens(rows: list) -> Table:
    return Table(
        "comedores",
        "Comedores sociales",
        "Sedes del programa Comedor Social con su ubicación, capacidad y estado.",
        [
            f.unique(f.text("codigo", "Código del comedor.", "Código", pattern="^CS-[0-9]{3}$")),
            f.department(),
            f.municipality(),
            f.text("area", "Área donde funciona.", "Área", enum=["Urbana", "Rural"]),
            f.count("capacidad_diaria", "Raciones que puede servir por día.", "Capacidad diaria"),
            f.text(
                "estado",
                "Estado de funcionamiento.",
                "Estado",
                enum=["En funcionamiento", "Cerrado temporalmente"],
            ),
            f.day("fecha_apertura", "Fecha de apertura del comedor.", "Fecha de apertura"),
        ],
        rows,
        primary_key=["codigo"],
    )


def _servings(rows: list) -> Table:
    return Table(
        "raciones",
        "Raciones servidas por mes",
        "Días de servicio y raciones servidas por comedor y mes.",
        [
            f.text(
                "comedor",
                "Código del comedor (ver la tabla comedores).",
                "Comedor",
                pattern="^CS-[0-9]{3}$",
            ),
            f.year(2023, 2024),
            f.month(),
            f.count(
                "dias_servicio", "Días del mes en que el comedor sirvió comida.", "Días de servicio"
            ),
            f.count(
                "raciones_servidas", "Raciones de comida servidas en el mes.", "Raciones servidas"
            ),
        ],
        rows,
        primary_key=["comedor", "anio", "mes"],
        foreign_keys=[
            {"fields": ["comedor"], "reference": {"resource": "comedores", "fields": ["codigo"]}}
        ],
    )


BECA_AGES = {
    "11-15": ["Educación Media"],
    "16-18": ["Educación Media", "Educación Superior"],
    "19-24": ["Educación Media", "Educación Superior", "Primer Empleo"],
    "25 y más": ["Educación Superior", "Artesano"],
}
BECA_AMOUNT = {
    "Educación Media": 125.0,
    "Educación Superior": 250.0,
    "Primer Empleo": 400.0,
    "Artesano": 100.0,
}


def beca_social() -> Dataset:
    draw, rows = rng("beca-social"), []
    for dept in departments():
        for sex in ("Mujer", "Hombre"):
            for ages, modes in BECA_AGES.items():
                # Each group of quasi-identifiers has none or at least 5 people (k = 5).
                size = 0 if draw.random() < 0.08 else draw.randint(5, 12)
                for _ in range(size):
                    mode, months = draw.choice(modes), draw.randint(4, 10)
                    rows.append([2024, dept, sex, ages, mode, months, months * BECA_AMOUNT[mode]])
    rows.sort(key=lambda r: (r[1], r[2], r[3], r[4], r[5]))
    table = Table(
        "becarios",
        "Personas becarias de Beca Social (registros anonimizados)",
        "Un registro por persona becaria, sin datos identificadores: solo departamento, sexo, "
        "rango de edad, modalidad y pagos.",
        [
            f.year(2024, 2024),
            f.department(),
            f.text("sexo", "Sexo registrado.", "Sexo", enum=["Mujer", "Hombre"]),
            f.text(
                "rango_edad",
                "Rango de edad en años cumplidos.",
                "Rango de edad",
                enum=list(BECA_AGES),
            ),
            f.text(
                "modalidad", "Intervención de Beca Social.", "Modalidad", enum=list(BECA_AMOUNT)
            ),
            f.count("meses_pagados", "Meses con transferencia acreditada.", "Meses pagados"),
            f.money("monto_anual", "Suma de las transferencias del año.", "Monto anual"),
        ],
        rows,
        privacy={"quasiIdentifiers": ["departamento", "sexo", "rango_edad"], "k": 5},
    )
    return Dataset(
        "mides",
        "beca-social-becarios",
        f"Personas becarias de Beca Social, registros anonimizados ({SAMPLE})",
        "Datos de ejemplo: microdatos anonimizados de Beca Social (educación media, superior, "
        "primer empleo y artesano), con k-anonimato 5 sobre departamento, sexo y rango de edad.",
        ["beca social", "becas", "juventud", "microdatos", "anonimización"],
        ["SOCI", "EDUC"],
        "annual",
        [table],
        methodology=(
            "Se parte del padrón de personas becarias y se eliminan nombre, CUI, fecha de "
            "nacimiento y dirección. La edad se agrupa en rangos y la ubicación se reduce al "
            "departamento, de modo que cada combinación de departamento, sexo y rango de edad "
            "reúne al menos 5 personas (k-anonimato, k = 5)."
        ),
        caveats=(
            "Los grupos con menos de 5 personas se suprimieron por completo, por lo que "
            "los totales son menores que los del padrón."
        ),
        sources=[SNIS],
        temporal={"start": "2024-01-01", "end": "2024-12-31"},
        spatial={"country": "GT"},
        issued="2025-02-10",
    )


GIVEN = [
    "Ana",
    "María",
    "José",
    "Juan",
    "Carlos",
    "Luis",
    "Sofía",
    "Lucía",
    "Jorge",
    "Mario",
    "Rosa",
    "Carmen",
    "Miguel",
    "Pedro",
    "Julia",
    "Andrea",
    "Fernando",
    "Ricardo",
    "Gloria",
    "Marta",
    "Héctor",
    "Sandra",
    "Édgar",
    "Byron",
    "Claudia",
    "Wendy",
    "Óscar",
    "Silvia",
]
SURNAMES = [
    "López",
    "García",
    "Pérez",
    "González",
    "Hernández",
    "Rodríguez",
    "Martínez",
    "Morales",
    "Ramírez",
    "Castillo",
    "Méndez",
    "Juárez",
    "Cruz",
    "Reyes",
    "Orellana",
    "Barrios",
    "Mejía",
    "Estrada",
    "Aguilar",
    "Velásquez",
    "Chávez",
    "Díaz",
    "Sánchez",
    "Coc",
    "Xol",
    "Tzul",
    "Ajú",
    "Pop",
]
POSTS = [
    ("Ministro", "011", 1, 40000),
    ("Viceministro", "011", 3, 32000),
    ("Director", "011", 8, 22000),
    ("Subdirector", "011", 8, 17000),
    ("Asesor", "029", 6, 15000),
    ("Profesional", "011", 30, 9000),
    ("Técnico", "011", 30, 6000),
    ("Asistente administrativo", "011", 20, 4800),
    ("Coordinador departamental", "022", 14, 8500),
    ("Promotor social", "022", 20, 4300),
]
UNITS = [
    "Despacho Superior",
    "Viceministerio de Protección Social",
    "Viceministerio de Política, Planificación y Evaluación",
    "Viceministerio Administrativo y Financiero",
    "Dirección de Sistemas de Información",
    "Dirección de Asistencia Social",
    "Unidad de Información Pública",
]


def personal_salarios() -> Dataset:
    draw, number = rng("personal-mides"), 0
    staff: list[tuple[int, str, str, str, str, float, float]] = []
    for post, line, how_many, base in POSTS:
        for _ in range(how_many):
            number += 1
            name = (
                f"{draw.choice(GIVEN)} {draw.choice(GIVEN)} "
                f"{draw.choice(SURNAMES)} {draw.choice(SURNAMES)}"
            )
            salary = round(base * draw.uniform(0.95, 1.05), -1)
            bonus = 250.0 if line != "029" else 0.0
            staff.append((number, name, post, line, draw.choice(UNITS), salary, bonus))
    rows = []
    for year, month in f.RECENT_MONTHS:
        raise_ = 1.05 if year == 2026 else 1.0  # the January raise
        for number, name, post, line, unit, salary, bonus in staff:
            pay = round(salary * raise_, -1)
            rows.append([year, month, number, name, post, line, unit, pay, bonus, pay + bonus])
    return Dataset(
        "mides",
        "personal-y-salarios",
        f"Funcionarios, servidores públicos y sus remuneraciones ({SAMPLE})",
        "Datos de ejemplo: nómina mensual con nombre, puesto, renglón presupuestario y "
        "remuneración, que la Ley de Acceso a la Información Pública ordena publicar de oficio.",
        ["personal", "salarios", "remuneraciones", "transparencia activa", "nómina"],
        ["GOVE"],
        "monthly",
        [_staff(rows)],
        methodology=(
            "Extracto mensual de la nómina, de diciembre de 2025 a noviembre de 2026, del "
            "sistema de recursos humanos, con los puestos de los renglones 011 (personal "
            "permanente), 022 (por contrato) y 029 (servicios técnicos y profesionales, entre "
            "ellos los asesores del numeral 27). Las columnas siguen las plantillas de "
            "transparencia activa de personal y de asesores."
        ),
        caveats=(
            "Los nombres son ficticios. En un portal real, el nombre y la remuneración de quien "
            "ejerce un cargo público son información pública de oficio (Decreto 57-2008, "
            "art. 10, num. 4); por eso el recurso los declara en `privacy.publicPersonalData`. "
            "No se publican CUI, dirección ni otros datos personales."
        ),
        sources=[{"title": "Sistema de Nómina y Registro de Personal (Guatenóminas)"}],
        temporal={"start": "2025-12-01", "end": "2026-11-30"},
        spatial={"country": "GT"},
        obligations=["GT-LAIP-10.4", "GT-LAIP-10.27"],
        version="2026.11",
        issued="2024-01-31",
        modified="2026-11-30",
    )


def _staff(rows: list) -> Table:
    return Table(
        "personal",
        "Personal y remuneraciones, diciembre de 2025 a noviembre de 2026",
        "Una fila por puesto ocupado y mes, con el nombre de la persona y su remuneración mensual.",
        [
            f.year(2025, 2026),
            f.month(),
            f.count("correlativo", "Número del puesto en la nómina.", "Correlativo"),
            f.text(
                "nombre",
                "Nombre de la persona que ocupa el puesto (información pública de oficio).",
                "Nombre",
            ),
            f.text("puesto", "Puesto nominal.", "Puesto"),
            f.text("renglon", "Renglón presupuestario.", "Renglón", enum=["011", "022", "029"]),
            f.text("dependencia", "Dependencia donde trabaja.", "Dependencia", enum=UNITS),
            f.required(f.money("salario_base", "Salario o honorarios mensuales.", "Salario base")),
            f.money("bonificaciones", "Bonificaciones mensuales.", "Bonificaciones"),
            f.required(f.money("total_mensual", "Remuneración mensual total.", "Total mensual")),
        ],
        rows,
        primary_key=["anio", "mes", "correlativo"],
        privacy={
            "publicPersonalData": [
                {"field": "nombre", "legalBasis": "Decreto 57-2008, art. 10, num. 4"}
            ]
        },
    )


def hogares_comunitarios() -> Dataset:
    draw, rows = rng("hogares-comunitarios"), []
    for muni in sorted(draw.sample(municipalities(), 150)):
        homes = draw.randint(1, 12)
        rows.append([2024, muni[:2], muni, homes, homes * draw.randint(8, 14)])
    table = Table(
        "hogares",
        "Hogares Comunitarios por municipio",
        "Hogares Comunitarios en funcionamiento y niñas y niños atendidos, por municipio.",
        [
            f.year(2024, 2024),
            f.department(),
            f.municipality(),
            f.count(
                "hogares", "Hogares Comunitarios en funcionamiento al cierre del año.", "Hogares"
            ),
            f.count("ninos_atendidos", "Niñas y niños de 0 a 6 años atendidos.", "Niñez atendida"),
        ],
        rows,
        primary_key=["anio", "municipio"],
        privacy={"countFields": ["ninos_atendidos"], "minCellSize": 5},
    )
    return Dataset(
        "sosep",
        "hogares-comunitarios",
        f"Hogares Comunitarios y niñez atendida ({SAMPLE})",
        "Datos de ejemplo: Hogares Comunitarios de la SOSEP y niñas y niños atendidos por "
        "municipio.",
        ["hogares comunitarios", "niñez", "cuidado infantil", "primera infancia"],
        ["SOCI", "EDUC"],
        "annual",
        [table],
        methodology="Registro administrativo del programa al 31 de diciembre.",
        caveats="Solo se listan los municipios con al menos un hogar comunitario.",
        sources=[{"title": "Programa Hogares Comunitarios, SOSEP"}],
        temporal={"start": "2024-01-01", "end": "2024-12-31"},
        spatial={"country": "GT"},
    )


def access_requests(publisher: str, acronym: str, scale: float, years: tuple[int, ...]) -> Dataset:
    """Statistics of access-to-information requests, the same shape for any publisher."""
    draw, rows = rng(f"solicitudes-{publisher}"), []
    channels = {"Electrónica": 0.6, "Escrita": 0.25, "Verbal": 0.1, "Telefónica": 0.05}
    for year in years:
        for month in f.MONTHS:
            for channel, share in channels.items():
                received = int(scale * share * draw.uniform(0.6, 1.4))
                extended, denied = int(received * 0.1), int(received * 0.05)
                missing, late = int(received * 0.04), int(received * draw.uniform(0, 0.04))
                on_time = received - extended - denied - missing - late
                rows.append(
                    [
                        year,
                        month,
                        channel,
                        received,
                        on_time,
                        extended,
                        late,
                        denied,
                        missing,
                        round(draw.uniform(4.0, 9.5), 1),
                    ]
                )
    return Dataset(
        publisher,
        "solicitudes-de-informacion",
        f"Solicitudes de acceso a la información pública, {acronym} ({SAMPLE})",
        f"Datos de ejemplo: solicitudes de información pública recibidas por {acronym} y cómo se "
        "resolvieron, por mes y medio de presentación.",
        ["acceso a la información", "solicitudes", "transparencia pasiva", "LAIP"],
        ["GOVE", "JUST"],
        "monthly",
        [_requests(rows, years, list(channels))],
        methodology=(
            "Registro de la Unidad de Información Pública. Una solicitud se cuenta en el mes en "
            "que se recibió; el plazo legal es de 10 días hábiles, prorrogable una vez por 10 "
            "días (Decreto 57-2008, arts. 42 y 43)."
        ),
        caveats="Las solicitudes recibidas en los últimos días del mes pueden resolverse en el "
        "mes siguiente.",
        sources=[{"title": f"Unidad de Información Pública, {acronym}"}],
        temporal={"start": f"{years[0]}-01-01", "end": f"{years[-1]}-12-31"},
        spatial={"country": "GT"},
        obligations=["GT-LAIP-10.29"],
    )


def _requests(rows: list, years: tuple[int, ...], channels: list[str]) -> Table:
    return Table(
        "solicitudes",
        "Solicitudes por mes y medio",
        "Solicitudes recibidas y su resultado, por mes y medio de presentación.",
        [
            f.year(years[0], years[-1]),
            f.month(),
            f.text("medio", "Medio por el que se presentó la solicitud.", "Medio", enum=channels),
            f.count("recibidas", "Solicitudes recibidas.", "Recibidas"),
            f.count(
                "resueltas_en_plazo",
                "Resueltas dentro de los 10 días hábiles.",
                "Resueltas en plazo",
            ),
            f.count("con_prorroga", "Resueltas con prórroga de 10 días.", "Con prórroga"),
            f.count("fuera_de_plazo", "Resueltas después del plazo legal.", "Fuera de plazo"),
            f.count(
                "denegadas", "Denegadas por información reservada o confidencial.", "Denegadas"
            ),
            f.count("inexistentes", "Información inexistente.", "Inexistentes"),
            f.number(
                "dias_promedio", "Días hábiles promedio de respuesta.", "Días promedio", decimals=1
            ),
        ],
        rows,
        primary_key=["anio", "mes", "medio"],
    )


def desnutricion_aguda() -> Dataset:
    draw, rows = rng("desnutricion"), []
    for year in (2023, 2024):
        for month in f.MONTHS:
            season = 1.4 if month in (6, 7, 8, 9) else 1.0  # the lean season, between harvests
            for dept in departments():
                base = DEPARTMENT_POPULATION[dept] * 0.035 * season * draw.uniform(0.6, 1.5)
                moderate, severe = at_least(base * 0.75), at_least(base * 0.25)
                rows.append([year, month, dept, moderate, severe, moderate + severe])
    table = Table(
        "casos",
        "Casos de desnutrición aguda en menores de 5 años",
        "Casos notificados por mes y departamento, según gravedad.",
        [
            f.year(2023, 2024),
            f.month(),
            f.department(),
            f.count("moderada", "Casos de desnutrición aguda moderada.", "Moderada"),
            f.count("severa", "Casos de desnutrición aguda severa.", "Severa"),
            f.count("total", "Total de casos.", "Total"),
        ],
        rows,
        primary_key=["anio", "mes", "departamento"],
        privacy={"countFields": ["moderada", "severa", "total"], "minCellSize": 5},
    )
    return Dataset(
        "sesan",
        "desnutricion-aguda",
        f"Casos de desnutrición aguda en la niñez menor de 5 años ({SAMPLE})",
        "Datos de ejemplo: casos de desnutrición aguda moderada y severa en menores de cinco "
        "años notificados cada mes, por departamento.",
        ["desnutrición aguda", "niñez", "nutrición", "seguridad alimentaria", "sala situacional"],
        ["HEAL", "SOCI"],
        "monthly",
        [table],
        methodology=(
            "Consolidado de la vigilancia epidemiológica semanal, agregado por mes de "
            "notificación y departamento de residencia."
        ),
        caveats=f"{COUNT_PRIVACY} La notificación aumenta en la temporada de hambre estacional.",
        sources=[{"title": "Sala situacional de desnutrición aguda, SESAN"}],
        temporal={"start": "2023-01-01", "end": "2024-12-31"},
        spatial={"country": "GT"},
        queries={
            "casos_por_mes": {
                "title": "Casos por mes (todo el país)",
                "sql": (
                    "select anio, mes, sum(total) as casos from casos group by anio, mes "
                    "order by anio, mes"
                ),
            },
        },
    )


GRAINS = {
    "Maíz blanco": ("quintal", 210.0),
    "Maíz amarillo": ("quintal", 190.0),
    "Frijol negro": ("quintal", 650.0),
    "Arroz de segunda": ("quintal", 520.0),
}


def precios_granos() -> Dataset:
    draw, rows = rng("precios-granos"), []
    for dept in departments():
        local = draw.uniform(0.92, 1.1)
        for month in f.MONTHS:
            season = 1.12 if month in (6, 7, 8) else 1.0
            for grain, (unit, price) in GRAINS.items():
                rows.append(
                    [
                        2024,
                        month,
                        dept,
                        grain,
                        unit,
                        price * local * season * draw.uniform(0.97, 1.03),
                    ]
                )
    table = Table(
        "precios",
        "Precios mayoristas de granos básicos",
        "Precio promedio mensual por departamento y producto.",
        [
            f.year(2024, 2024),
            f.month(),
            f.department(),
            f.text("producto", "Grano básico.", "Producto", enum=list(GRAINS)),
            f.text("unidad", "Unidad de medida del precio.", "Unidad", enum=["quintal"]),
            f.money("precio", "Precio promedio del mes.", "Precio"),
        ],
        rows,
        primary_key=["anio", "mes", "departamento", "producto"],
    )
    return Dataset(
        "sesan",
        "precios-granos-basicos",
        f"Precios de granos básicos por departamento ({SAMPLE})",
        "Datos de ejemplo: precios mayoristas mensuales de maíz, frijol y arroz en las "
        "cabeceras departamentales, para el monitoreo de la seguridad alimentaria.",
        ["precios", "maíz", "frijol", "granos básicos", "canasta básica"],
        ["AGRI", "ECON"],
        "monthly",
        [table],
        methodology="Promedio mensual de los registros semanales en mercados de cada cabecera.",
        caveats="Precios nominales, sin ajustar por inflación.",
        sources=[{"title": "Monitoreo de precios de granos básicos, SESAN"}],
        temporal={"start": "2024-01-01", "end": "2024-12-31"},
        spatial={"country": "GT"},
    )


def datasets() -> list[Dataset]:
    return [
        bono_social(),
        bolsa_social(),
        comedores_sociales(),
        beca_social(),
        personal_salarios(),
        hogares_comunitarios(),
        access_requests("sosep", "SOSEP", 30, (2022, 2023, 2024)),
        desnutricion_aguda(),
        precios_granos(),
    ]
