"""The demo project's vocabulary: trades, activities, delay reasons, blocker categories and
titles, with the weights the generator draws them by."""

from __future__ import annotations

from planbridge.planning.enums import Category

TRADES = [
    ("Groundworks", "Northfield Groundworks Ltd", "Substructure"),
    ("Concrete", "Castle Concrete Frames", "Frame"),
    ("Steel", "Ironbridge Steel", "Frame"),
    ("Façade", "Clearview Façades", "Envelope"),
    ("Roofing", "Summit Roofing", "Envelope"),
    ("Electrical", "Brightspark Électrique", "MEP"),
    ("Mechanical", "Airflow Mechanical Services", "MEP"),
    ("Plumbing", "Wetherby Plumbing & Heating", "MEP"),
    ("Drylining", "Partition Pros", "Fit-out"),
    ("Joinery", "Oak & Ash Joinery", "Fit-out"),
    ("Decorating", "Finishing Touch Decorators", "Fit-out"),
    ("Flooring", "Level Best Flooring", "Fit-out"),
    ("Lifts", "Vertical Transport Co", "MEP"),
    ("Landscaping", "Greenway Landscapes", "External"),
    ("Fire protection", "Firestop Systems", "MEP"),
]
ACTIVITIES = {
    "Groundworks": ["Excavate", "Pile caps", "Ground beams", "Drainage runs", "Blinding"],
    "Concrete": ["Formwork columns", "Pour columns", "Formwork slab", "Rebar slab", "Pour slab"],
    "Steel": ["Erect steel", "Bolt-up and plumb", "Metal deck"],
    "Façade": ["Brackets", "Curtain wall units", "Cladding panels", "Sealant"],
    "Roofing": ["Vapour barrier", "Insulation", "Membrane", "Flashings"],
    "Electrical": ["Containment", "First fix wiring", "Second fix", "Testing"],
    "Mechanical": ["Ductwork", "Pipework", "AHU install", "Commissioning"],
    "Plumbing": ["Soil stacks", "First fix pipework", "Sanitaryware"],
    "Drylining": ["Stud walls", "Board and tape", "Ceilings grid", "Ceiling tiles"],
    "Joinery": ["Door frames", "Doors hang", "Skirting", "Kitchens"],
    "Decorating": ["Mist coat", "Final coat", "Snagging"],
    "Flooring": ["Screed", "Floor finishes", "Carpet tiles"],
    "Lifts": ["Lift rails", "Lift car", "Lift commissioning"],
    "Landscaping": ["Hard landscaping", "Planting", "Paving"],
    "Fire protection": ["Sprinkler mains", "Fire stopping", "Alarm devices"],
}
DELAY_REASONS = [
    ("Awaiting design information", Category.information_design, 9),
    ("RFI not answered", Category.information_design, 5),
    ("Materials not delivered", Category.materials, 10),
    ("Wrong materials delivered", Category.materials, 3),
    ("Crew short-staffed", Category.labour, 8),
    ("Crane unavailable", Category.equipment, 4),
    ("Awaiting access", Category.space_access, 7),
    ("Previous trade not finished", Category.prerequisite_work, 9),
    ("Rain / high winds", Category.weather, 6),
    ("Safety stand-down", Category.safety, 2),
    ("Permit not issued", Category.permits_external, 2),
    ("Over-committed", Category.planning_overcommitment, 5),
    ("Client change", Category.change, 3),
]
BLOCKER_CATEGORIES = [
    ("Design / drawings", Category.information_design),
    ("Materials", Category.materials),
    ("Labour", Category.labour),
    ("Plant", Category.equipment),
    ("Access / space", Category.space_access),
    ("Prerequisite work", Category.prerequisite_work),
    ("Permits", Category.permits_external),
    ("Safety", Category.safety),
]
BLOCKER_TITLES = [
    "Approved drawings needed",
    "Confirm delivery date",
    "Scaffold adaptation",
    "Permit to work",
    "Crane booking",
    "Previous trade sign-off",
    "Method statement approval",
    "Samples approval",
]
