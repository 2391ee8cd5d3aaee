"""Claiming functions, confirming them, further sites and logos, through the services the web
pages and the API share."""

import io

import pytest
from PIL import Image

from marketplace.core.errors import NotFound, PermissionDenied, ValidationFailed
from marketplace.directory import logos, services
from marketplace.directory.queries import load_details


@pytest.fixture
def people(make):
    org = make.organisation(name="Kontor 27 Coworking", postcode="04105")
    return {
        "org": org,
        "member": make.user(organisation=org),
        "stranger": make.user(),
        "coordinator": make.user(role="coordinator"),
    }


def _claims(org):
    return {f.code: (f.note, f.verified) for f in load_details([org.id])[org.id].functions}


def test_claims_are_replaced_as_a_whole_and_codes_are_case_insensitive(people):
    org, member = people["org"], people["member"]
    services.set_functions(org, member, [{"code": "g", "note": "Coworking"}, {"code": "C"}])
    assert _claims(org) == {"C": ("", False), "G": ("Coworking", False)}
    services.set_functions(org, member, [{"code": "G", "note": "Coworking"}])
    assert _claims(org) == {"G": ("Coworking", False)}


@pytest.mark.parametrize(
    "claims, problem",
    [
        ([{"code": "Z"}], "Unknown function Z"),
        ([{"code": "G"}, {"code": "G"}], "listed twice"),
        ([{"code": "G", "note": "x" * 501}], "at most 500"),
        ([{"code": "G", "note": 5}], "must be text"),
        ("G", "A list of functions"),
        ([{"code": "G", "verified": "yes"}], "true or false"),
    ],
)
def test_bad_claims_are_refused_and_nothing_changes(people, claims, problem):
    org, member = people["org"], people["member"]
    services.set_functions(org, member, [{"code": "A", "note": "Netzwerk"}])
    with pytest.raises(ValidationFailed) as error:
        services.set_functions(org, member, claims)
    assert problem in " ".join(error.value.fields["functions"])
    assert _claims(org) == {"A": ("Netzwerk", False)}


def test_only_coordinators_confirm_and_a_new_wording_needs_a_new_confirmation(people):
    org, member, coordinator = people["org"], people["member"], people["coordinator"]
    services.set_functions(org, member, [{"code": "G", "note": "Offener Raum"}])
    with pytest.raises(PermissionDenied):
        services.set_functions(
            org, member, [{"code": "G", "note": "Offener Raum", "verified": True}]
        )
    services.verify_function(org, "G", coordinator)
    assert _claims(org)["G"] == ("Offener Raum", True)
    # a member sending the current value back changes nothing
    services.set_functions(org, member, [{"code": "G", "note": "Offener Raum", "verified": True}])
    assert _claims(org)["G"] == ("Offener Raum", True)
    services.set_functions(org, member, [{"code": "G", "note": "Offener Raum und Café"}])
    assert _claims(org)["G"] == ("Offener Raum und Café", False)
    services.set_functions(
        org, coordinator, [{"code": "G", "note": "Offener Raum und Café", "verified": True}]
    )
    assert _claims(org)["G"][1] is True
    services.verify_function(org, "G", coordinator, verified=False)
    assert _claims(org)["G"][1] is False
    with pytest.raises(PermissionDenied):
        services.verify_function(org, "G", member)
    with pytest.raises(NotFound):
        services.verify_function(org, "H", coordinator)


def test_another_organisation_cannot_change_the_profile(people):
    with pytest.raises(PermissionDenied):
        services.update_profile(people["org"], people["stranger"], {"description": "gekapert"})
    with pytest.raises(PermissionDenied):
        services.add_site(people["org"], people["stranger"], name="X", postcode="04109")


def test_a_profile_change_refuses_unknown_fields_and_keeps_everything_on_error(people):
    org, member = people["org"], people["member"]
    services.update_profile(
        org, member, {"description": "Coworking", "website": "https://k27.example"}
    )
    with pytest.raises(ValidationFailed) as error:
        services.update_profile(org, member, {"description": "neu", "organisation_id": 3})
    assert "organisation_id" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        services.update_profile(
            org, member, {"description": "neu", "website": "javascript:alert(1)"}
        )
    assert "website" in error.value.fields
    assert (org.description, org.website) == ("Coworking", "https://k27.example")


def test_sites_need_a_known_postcode_and_are_limited(people):
    org, member = people["org"], people["member"]
    site = services.add_site(
        org, member, name="3. Etage", postcode="04105", district="Zentrum-Nordwest"
    )
    assert (round(site.lat, 1), round(site.lon, 1)) == (51.4, 12.4)
    with pytest.raises(ValidationFailed) as error:
        services.add_site(org, member, name="Nirgendwo", postcode="00000")
    assert "postcode" in error.value.fields
    for n in range(services.SITES_MAX - 1):
        services.add_site(org, member, name=f"Raum {n}", postcode="04105")
    with pytest.raises(ValidationFailed):
        services.add_site(org, member, name="Einer zu viel", postcode="04105")
    services.remove_site(org, member, site.id)
    with pytest.raises(NotFound):
        services.remove_site(org, member, site.id)


def _png(size=(900, 300)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGBA", size, (29, 107, 71, 255)).save(out, "PNG")
    out.seek(0)
    return out


def test_a_logo_is_re_encoded_and_a_non_picture_refused(app, people):
    org, member = people["org"], people["member"]
    logos.set_logo(org, member, _png())
    path = logos.logo_path(org)
    with Image.open(path) as image:
        assert image.format == "JPEG" and max(image.size) == logos.LOGO_MAX_EDGE
    with pytest.raises(ValidationFailed) as error:
        logos.set_logo(org, member, io.BytesIO(b"<svg onload=alert(1)></svg>"))
    assert "logo" in error.value.fields
    with pytest.raises(PermissionDenied):
        logos.set_logo(org, people["stranger"], _png())
