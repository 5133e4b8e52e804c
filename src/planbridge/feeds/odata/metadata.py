"""``$metadata`` (CSDL XML) and the service document, both derived from the entity model.

The Capabilities annotations say exactly what :mod:`planbridge.feeds.odata.query` and
:mod:`planbridge.feeds.odata.paging` implement, so Power BI folds what the service can do and
does the rest itself.
"""

from __future__ import annotations

import functools
from typing import Any
from xml.etree import ElementTree as ET

from planbridge.feeds.odata.filters import FUNCTIONS
from planbridge.feeds.odata.model import (
    CONTAINER,
    EDM_TYPES,
    ENTITY_SETS,
    NAMESPACE,
    EntitySet,
    Navigation,
)

EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"
VOCABULARIES = "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/"
CORE = "Org.OData.Core.V1"
CAPABILITIES = "Org.OData.Capabilities.V1"

#: Record-valued Capabilities terms of every entity set: term -> {property: supported}.
SET_RESTRICTIONS: dict[str, dict[str, bool]] = {
    "FilterRestrictions": {"Filterable": True, "RequiresFilter": False},
    "SortRestrictions": {"Sortable": True},
    "CountRestrictions": {
        "Countable": True,
        "NavigationCountable": False,
    },
    "ExpandRestrictions": {"Expandable": False},
    "SearchRestrictions": {"Searchable": False},
    "SelectSupport": {
        "Supported": True,
        "InstanceAnnotationsSupported": False,
        "Expandable": False,
        "Filterable": False,
        "Searchable": False,
        "TopSupported": False,
        "SkipSupported": False,
        "ComputeSupported": False,
        "Countable": False,
        "Sortable": False,
    },
    "InsertRestrictions": {"Insertable": False},
    "UpdateRestrictions": {"Updatable": False},
    "DeleteRestrictions": {"Deletable": False},
}
SET_FLAGS = {"TopSupported": True, "SkipSupported": True, "IndexableByKey": False}
CONTAINER_FLAGS = {
    "BatchSupported": False,
    "AsynchronousRequestsSupported": False,
    "KeyAsSegmentSupported": False,
    "CrossJoinSupported": False,
}


def _el(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, tag, attrs)


def _edm(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    """An element of the default (edm) namespace, declared on the root."""
    return _el(parent, tag, **attrs)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _annotate_bool(parent: ET.Element, term: str, value: bool) -> None:
    _edm(parent, "Annotation", Term=f"Capabilities.{term}", Bool=_bool(value))


def _annotate_record(parent: ET.Element, term: str, values: dict[str, bool]) -> None:
    record = _edm(_edm(parent, "Annotation", Term=f"Capabilities.{term}"), "Record")
    for name, value in values.items():
        _edm(record, "PropertyValue", Property=name, Bool=_bool(value))


def _describe(parent: ET.Element, text: str) -> None:
    _edm(parent, "Annotation", Term="Core.Description", String=text)


def _navigation(parent: ET.Element, nav: Navigation, target_type: str) -> None:
    type_name = f"{NAMESPACE}.{target_type}"
    attrs = {
        "Name": nav.name,
        "Type": f"Collection({type_name})" if nav.many else type_name,
        "Partner": nav.partner,
    }
    if not nav.many:
        attrs["Nullable"] = _bool(nav.nullable)
    element = _edm(parent, "NavigationProperty", **attrs)
    for prop, referenced in nav.constraints:
        _edm(element, "ReferentialConstraint", Property=prop, ReferencedProperty=referenced)


def _entity_type(schema: ET.Element, entity: EntitySet, types: dict[str, str]) -> None:
    element = _edm(schema, "EntityType", Name=entity.type_name)
    key = _edm(element, "Key")
    for name in entity.key:
        _edm(key, "PropertyRef", Name=name)
    for column in entity.columns:
        prop = _edm(
            element,
            "Property",
            Name=column.name,
            Type=EDM_TYPES[column.type],
            Nullable=_bool(column.nullable),
        )
        _describe(prop, column.description)
    for nav in entity.navigations:
        _navigation(element, nav, types[nav.target])
    _describe(element, entity.table.description)


def _entity_set(container: ET.Element, entity: EntitySet) -> None:
    element = _edm(
        container, "EntitySet", Name=entity.name, EntityType=f"{NAMESPACE}.{entity.type_name}"
    )
    for nav in entity.navigations:
        _edm(element, "NavigationPropertyBinding", Path=nav.name, Target=nav.target)
    for term, value in SET_FLAGS.items():
        _annotate_bool(element, term, value)
    for term, values in SET_RESTRICTIONS.items():
        _annotate_record(element, term, values)
    navigation = _edm(
        _edm(element, "Annotation", Term="Capabilities.NavigationRestrictions"), "Record"
    )
    _edm(
        navigation,
        "PropertyValue",
        Property="Navigability",
        EnumMember="Capabilities.NavigationType/None",
    )
    functions = _edm(_edm(element, "Annotation", Term="Capabilities.FilterFunctions"), "Collection")
    for name in FUNCTIONS:
        _edm(functions, "String").text = name


def _reference(root: ET.Element, namespace: str, alias: str) -> None:
    reference = _el(root, "edmx:Reference", Uri=f"{VOCABULARIES}{namespace}.xml")
    _el(reference, "edmx:Include", Namespace=namespace, Alias=alias)


@functools.cache
def metadata_document() -> bytes:
    """The CSDL XML document (the same for every project)."""
    # Namespaces are written as plain attributes: ElementTree would otherwise invent prefixes.
    root = ET.Element("edmx:Edmx", {"xmlns:edmx": EDMX, "xmlns": EDM, "Version": "4.0"})
    _reference(root, CORE, "Core")
    _reference(root, CAPABILITIES, "Capabilities")
    services = _el(root, "edmx:DataServices")
    schema = _edm(services, "Schema", Namespace=NAMESPACE)
    types = {s.name: s.type_name for s in ENTITY_SETS}
    for entity in ENTITY_SETS:
        _entity_type(schema, entity, types)
    container = _edm(schema, "EntityContainer", Name=CONTAINER)
    for term, value in CONTAINER_FLAGS.items():
        _annotate_bool(container, term, value)
    _edm(
        container,
        "Annotation",
        Term="Capabilities.ConformanceLevel",
        EnumMember="Capabilities.ConformanceLevelType/Minimal",
    )
    for entity in ENTITY_SETS:
        _entity_set(container, entity)
    ET.indent(root, space=" ")
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def service_document(root_url: str) -> dict[str, Any]:
    return {
        "@odata.context": f"{root_url}$metadata",
        "value": [{"name": s.name, "kind": "EntitySet", "url": s.name} for s in ENTITY_SETS],
    }
