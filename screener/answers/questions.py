"""How the checklist groups and words its questions: the titles every face asks them
under (the terminal checklist, the FHIR Questionnaire, the web form), so all of them ask
in the same order and words."""

GROUPS = {
    "skin": "The skin of the legs and feet",
    "blood_and_circulation": "Blood, veins and circulation",
    "injury_and_pain": "Injuries, pain and operations",
    "health": "General health",
}
GOAL_TITLES = {
    "relaxation": "Relaxation",
    "circulation": "Circulation (feet and calves, self-massage)",
    "recovery": "Recovery after exercise",
    "foot_relief": "Tired, aching feet",
}
PRESSURE_TITLES = {
    "light": "Light: gentle, gliding",
    "moderate": "Moderate: firm but comfortable",
    "firm": "Firm",
    "deep": "Deep",
}
