{#- The words of a name key (ingestion/resolution/names.py) that can tell two organisations apart:
    three letters or more, and not a joining word or legal form. -#}
{% macro name_words(column) -%}
    list_filter(string_split(coalesce({{ column }}, ''), ' '),
                lambda w: length(w) >= 3 and w not in ('AND', 'THE', 'FOR', 'LTD', 'LIMITED', 'PLC', 'LLP'))
{%- endmacro %}

{#- Whether two name keys could be one organisation's: they share a word, read the same without
    spaces ('FOSTERTALK' / 'FOSTER TALK'), or are near-identical as written ('THOMPSON SOLICITORS' /
    'THOMPSONS SOLICTORS'). Deliberately generous: the identity checks look for names that share
    nothing at all, the mark of a wrong identity rather than of a matching rule's judgement. -#}
{% macro names_related(a, b) -%}
    (list_has_any({{ name_words(a) }}, {{ name_words(b) }})
     or replace({{ a }}, ' ', '') = replace({{ b }}, ' ', '')
     or jaro_winkler_similarity({{ a }}, {{ b }}) >= 0.9)
{%- endmacro %}
