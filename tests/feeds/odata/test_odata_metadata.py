"""``$metadata`` validates against the OASIS CSDL schemas and says what the registry says."""

from __future__ import annotations

from lxml import etree

from planbridge.catalog import FEED_TABLES
from planbridge.feeds.odata.filters import FUNCTIONS
from planbridge.feeds.odata.model import EDM_TYPES, ENTITY_SETS, ENTITY_SETS_BY_NAME

NS = {
    "edmx": "http://docs.oasis-open.org/odata/ns/edmx",
    "edm": "http://docs.oasis-open.org/odata/ns/edm",
}
ISSUE_SETS = {"Versions", "Tasks", "Links", "Resources", "StatusUpdates", "Blockers"}


def _metadata(client, project):
    response = client.get(project.root + "$metadata", headers=project.auth)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    return etree.fromstring(response.content)


def test_metadata_validates_against_the_oasis_schemas(client, published, csdl_schema):
    document = _metadata(client, published)
    assert csdl_schema.validate(document), csdl_schema.error_log


def test_the_oasis_example_validates_so_the_schema_check_is_real(csdl_schema):
    from tests.feeds.odata.conftest import SCHEMAS

    assert csdl_schema.validate(etree.parse(str(SCHEMAS / "csdl-16.1.xml")))
    broken = etree.fromstring(
        b'<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">'
        b"<edmx:DataServices><Oops/></edmx:DataServices></edmx:Edmx>"
    )
    assert not csdl_schema.validate(broken)


def test_every_registry_table_is_an_entity_set_with_typed_properties(client, published):
    document = _metadata(client, published)
    sets = {
        s.get("Name"): s.get("EntityType")
        for s in document.xpath("//edm:EntityContainer/edm:EntitySet", namespaces=NS)
    }
    assert set(sets) >= ISSUE_SETS
    assert len(sets) == len(FEED_TABLES)
    for table in FEED_TABLES:
        entity = next(s for s in ENTITY_SETS if s.table is table)
        assert sets[entity.name] == f"PlanBridge.{entity.type_name}"
        (element,) = document.xpath(f"//edm:EntityType[@Name='{entity.type_name}']", namespaces=NS)
        properties = {
            p.get("Name"): (p.get("Type"), p.get("Nullable"))
            for p in element.xpath("edm:Property", namespaces=NS)
        }
        for column in table.columns:
            nullable = "true" if column.nullable else "false"
            assert properties[column.name] == (EDM_TYPES[column.type], nullable)
        keys = [k.get("Name") for k in element.xpath("edm:Key/edm:PropertyRef", namespaces=NS)]
        assert keys == list(entity.key)
        assert all(properties[k][1] == "false" for k in keys)


def test_every_registry_table_has_chosen_names_not_the_fallback():
    for table in FEED_TABLES:
        assert table.entity_set and table.entity_type, f"{table.name}: name its OData set and type"
    assert len({s.name for s in ENTITY_SETS}) == len(ENTITY_SETS)
    assert len({s.type_name for s in ENTITY_SETS}) == len(ENTITY_SETS)


def test_navigation_properties_are_bound_partnered_and_constrained():
    for entity in ENTITY_SETS:
        properties = {c.name.lower() for c in entity.columns}
        for nav in entity.navigations:
            assert nav.name.lower() not in properties, "case-insensitive tools would clash"
            target = ENTITY_SETS_BY_NAME[nav.target]
            partner = target.navigation(nav.partner)
            assert partner is not None and partner.partner == nav.name
            assert partner.target == entity.name
            assert partner.many != nav.many
            for prop, referenced in nav.constraints:
                mine, theirs = entity.column(prop), target.column(referenced)
                assert mine is not None and theirs is not None
                assert mine.type == theirs.type
            if not nav.many:
                assert {r for _, r in nav.constraints} == set(target.key)


def test_tasks_relate_to_their_version_resources_status_and_blockers(client, published):
    document = _metadata(client, published)
    (task,) = document.xpath("//edm:EntityType[@Name='Task']", namespaces=NS)
    navs = {n.get("Name"): n for n in task.xpath("edm:NavigationProperty", namespaces=NS)}
    assert navs["Resources"].get("Type") == "Collection(PlanBridge.Resource)"
    assert navs["StatusUpdates"].get("Type") == "Collection(PlanBridge.StatusUpdate)"
    assert navs["Blockers"].get("Type") == "Collection(PlanBridge.Blocker)"
    version = navs["Version"]
    assert version.get("Type") == "PlanBridge.Version" and version.get("Nullable") == "false"
    constraint = version.xpath("edm:ReferentialConstraint", namespaces=NS)[0]
    assert (constraint.get("Property"), constraint.get("ReferencedProperty")) == (
        "version_id",
        "version_id",
    )
    (resource,) = document.xpath("//edm:EntityType[@Name='Resource']", namespaces=NS)
    (to_task,) = resource.xpath("edm:NavigationProperty[@Name='Task']", namespaces=NS)
    pairs = {
        (c.get("Property"), c.get("ReferencedProperty"))
        for c in to_task.xpath("edm:ReferentialConstraint", namespaces=NS)
    }
    assert pairs == {("version_id", "version_id"), ("task_id", "task_id")}
    (tasks_set,) = document.xpath("//edm:EntitySet[@Name='Tasks']", namespaces=NS)
    bindings = {
        b.get("Path"): b.get("Target")
        for b in tasks_set.xpath("edm:NavigationPropertyBinding", namespaces=NS)
    }
    assert bindings["Resources"] == "Resources" and bindings["Version"] == "Versions"


def _capability(entity_set, term):
    (annotation,) = entity_set.xpath(f"edm:Annotation[@Term='Capabilities.{term}']", namespaces=NS)
    return annotation


def _record(entity_set, term):
    return {
        p.get("Property"): p.get("Bool") or p.get("EnumMember")
        for p in _capability(entity_set, term).xpath("edm:Record/edm:PropertyValue", namespaces=NS)
    }


def test_capabilities_say_what_is_implemented(client, published):
    document = _metadata(client, published)
    for entity_set in document.xpath("//edm:EntitySet", namespaces=NS):
        assert _capability(entity_set, "TopSupported").get("Bool") == "true"
        assert _capability(entity_set, "SkipSupported").get("Bool") == "true"
        assert _record(entity_set, "FilterRestrictions")["Filterable"] == "true"
        assert _record(entity_set, "SortRestrictions")["Sortable"] == "true"
        assert _record(entity_set, "CountRestrictions")["Countable"] == "true"
        assert _record(entity_set, "ExpandRestrictions") == {"Expandable": "false"}
        assert _record(entity_set, "SearchRestrictions") == {"Searchable": "false"}
        assert _record(entity_set, "SelectSupport")["Supported"] == "true"
        assert _record(entity_set, "InsertRestrictions") == {"Insertable": "false"}
        assert (
            _record(entity_set, "NavigationRestrictions")["Navigability"]
            == "Capabilities.NavigationType/None"
        )
        functions = _capability(entity_set, "FilterFunctions").xpath(
            "edm:Collection/edm:String/text()", namespaces=NS
        )
        assert tuple(functions) == FUNCTIONS


def test_service_document_lists_every_entity_set(client, published):
    response = client.get(published.root, headers=published.auth)
    assert response.status_code == 200
    body = response.json()
    assert body["@odata.context"] == f"http://testserver{published.root}$metadata"
    assert [v["name"] for v in body["value"]] == [s.name for s in ENTITY_SETS]
    assert all(v["kind"] == "EntitySet" and v["url"] == v["name"] for v in body["value"])


def test_service_root_without_trailing_slash_is_the_service_document(client, published):
    response = client.get(published.root.rstrip("/"), headers=published.auth)
    assert response.status_code == 200
    assert response.json()["value"][0]["name"] == "Versions"


def test_metadata_format_option(client, published):
    url = published.root + "$metadata"
    assert client.get(url + "?$format=xml", headers=published.auth).status_code == 200
    response = client.get(url + "?$format=json", headers=published.auth)
    assert response.status_code == 400
    assert response.json()["error"]["target"] == "$format"
