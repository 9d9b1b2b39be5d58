"""The report as one self-contained HTML file: inline CSS, inline SVG charts, no external URL."""

from __future__ import annotations

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from orchestration.report.charts import chart_svg
from orchestration.report.document import Document

TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ doc.title }}</title>
<style>
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 60em; margin: 2em auto; padding: 0 1em; line-height: 1.7; color: #222; }
h1 { font-size: 1.6em; text-align: center; }
h2 { font-size: 1.35em; border-bottom: 2px solid #1f5fa8; padding-bottom: .2em; margin-top: 2em; }
h3 { font-size: 1.15em; margin-top: 1.6em; }
p { text-indent: 2em; }
table { border-collapse: collapse; margin: .8em 0 1.2em; min-width: 60%; }
caption { text-align: left; font-weight: bold; padding-bottom: .3em; }
th, td { border: 1px solid #999; padding: .25em .6em; }
th { background: #e8eef6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #f5f5f5; }
figure { margin: 1em 0; }
figure svg { max-width: 100%; height: auto; }
.notes { font-size: .9em; color: #444; }
</style>
</head>
<body>
<h1>{{ doc.title }}</h1>
<p class="period">报告期间：{{ doc.period }}</p>
{% for part in doc.parts %}
<h2>{{ part.title }}</h2>
{% for section in part.sections %}
<section id="{{ section.key }}">
<h3>{{ section.heading }}</h3>
{% for paragraph in section.paragraphs %}<p>{{ paragraph }}</p>
{% endfor %}
{% for table in section.tables %}
<table>
<caption>{{ table.title_zh }}</caption>
<thead><tr><th>指标代码</th><th>指标名称</th><th>单位</th><th>本期</th>
{%- if table.has_previous %}<th>上期</th>{% endif %}</tr></thead>
<tbody>
{% for row in table.rows %}<tr{% if row.is_total %} class="total"{% endif %}>
{{- "" }}<td>{{ row.code }}</td><td>{{ row.name_zh }}</td><td>{{ row.unit_zh }}</td>
{{- "" }}<td class="num">{{ row.current_display }}</td>
{%- if table.has_previous %}<td class="num">{{ row.previous_display }}</td>{% endif %}</tr>
{% endfor %}
</tbody>
</table>
{% endfor %}
{% for chart in section.charts %}<figure>{{ svg(chart) }}</figure>
{% endfor %}
</section>
{% endfor %}
{% endfor %}
<h2>说明</h2>
<ol class="notes">
{% for note in doc.notes %}<li>{{ note }}</li>
{% endfor %}
</ol>
</body>
</html>
"""


def render_html(doc: Document) -> bytes:
    """The HTML report, UTF-8."""
    environment = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    template = environment.from_string(TEMPLATE)
    return template.render(doc=doc, svg=lambda chart: Markup(chart_svg(chart))).encode("utf-8")
