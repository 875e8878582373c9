"""Word lists the generator draws from, so that sandbox people and employers look real.

Every address is invented; phone numbers use the 555 exchange and e-mail
addresses the example.* domains, so nothing here reaches a real person.
"""

FIRST_NAMES_F = (
    "Olivia", "Emma", "Ava", "Sophia", "Isabella", "Mia", "Amelia", "Harper", "Evelyn", "Abigail",
    "Emily", "Elizabeth", "Sofia", "Avery", "Ella", "Scarlett", "Grace", "Chloe", "Victoria", "Riley",
    "Aria", "Lily", "Zoey", "Hannah", "Layla", "Nora", "Camila", "Priya", "Mei", "Fatima",
    "Lucia", "Aaliyah", "Naomi", "Diane", "Maria", "Rosa", "Keiko", "Ananya", "Leah", "Ruth",
)
FIRST_NAMES_M = (
    "Liam", "Noah", "Oliver", "Elijah", "James", "William", "Benjamin", "Lucas", "Henry", "Theodore",
    "Jack", "Levi", "Alexander", "Jackson", "Mateo", "Daniel", "Michael", "Mason", "Sebastian", "Ethan",
    "Logan", "Owen", "Samuel", "Jacob", "Asher", "Aiden", "John", "Joseph", "Wyatt", "David",
    "Omar", "Hiroshi", "Rahul", "Diego", "Kwame", "Andre", "Marcus", "Luis", "Wei", "Tomas",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
    "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
    "Patel", "Kim", "Chen", "Okafor", "Tanaka", "Kowalski", "O'Brien", "Nakamura", "Haddad", "Schmidt",
)
SUFFIXES = ("Jr.", "Sr.", "II", "III")

# (city, state, zip prefix, county, area code)
CITIES = (
    ("San Francisco", "CA", "941", "San Francisco", "415"),
    ("Oakland", "CA", "946", "Alameda", "510"),
    ("Sacramento", "CA", "958", "Sacramento", "916"),
    ("Los Angeles", "CA", "900", "Los Angeles", "213"),
    ("San Diego", "CA", "921", "San Diego", "619"),
    ("Portland", "OR", "972", "Multnomah", "503"),
    ("Seattle", "WA", "981", "King", "206"),
    ("Spokane", "WA", "992", "Spokane", "509"),
    ("Boise", "ID", "837", "Ada", "208"),
    ("Denver", "CO", "802", "Denver", "303"),
    ("Phoenix", "AZ", "850", "Maricopa", "602"),
    ("Austin", "TX", "787", "Travis", "512"),
    ("Dallas", "TX", "752", "Dallas", "214"),
    ("Chicago", "IL", "606", "Cook", "312"),
    ("Minneapolis", "MN", "554", "Hennepin", "612"),
    ("Columbus", "OH", "432", "Franklin", "614"),
    ("Atlanta", "GA", "303", "Fulton", "404"),
    ("Nashville", "TN", "372", "Davidson", "615"),
    ("Raleigh", "NC", "276", "Wake", "919"),
    ("Boston", "MA", "021", "Suffolk", "617"),
    ("Brooklyn", "NY", "112", "Kings", "718"),
    ("Philadelphia", "PA", "191", "Philadelphia", "215"),
    ("Miami", "FL", "331", "Miami-Dade", "305"),
    ("Madison", "WI", "537", "Dane", "608"),
)
STREETS = (
    "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park", "Main",
    "Valencia", "Mission", "Sunset", "Harbor", "Ridge", "Willow", "Jefferson", "Lincoln", "Franklin", "Spruce",
)
STREET_KINDS = ("St", "Ave", "Blvd", "Way", "Dr", "Ln", "Ct", "Pl")

COMPANY_FIRST = (
    "Blue Harbor", "Granite", "Summit", "Redwood", "Copperline", "Northgate", "Silver Creek", "Brightwater",
    "Ironwood", "Lakeside", "Pacific Crest", "Evergreen", "Highland", "Sunrise", "Cobalt", "Meadowbrook",
    "Keystone", "Riverbend", "Golden Gate", "Prairie", "Bayview", "Cascade", "Juniper", "Oakridge",
    "Beacon", "Crescent", "Fairview", "Heritage", "Union Square", "Westfield",
)
COMPANY_SECOND = (
    "Logistics", "Bakery", "Dental Group", "Engineering", "Analytics", "Construction", "Veterinary Clinic",
    "Software", "Roasters", "Architects", "Physical Therapy", "Brewing", "Property Management", "Legal",
    "Landscaping", "Manufacturing", "Family Medicine", "Outfitters", "Design Studio", "Accounting",
    "Auto Repair", "Marketing", "Hospitality", "Learning Center", "Pharmacy",
)
COMPANY_SUFFIXES = ("LLC", "Inc.", "Co.", "Corp.", "LLP", "PC", "Group")
SIC_CODES = ("5812", "7372", "8011", "8021", "1521", "2051", "8711", "7389", "5411", "8721", "4213", "8111", "0782")

OCCUPATIONS = (
    "Account Manager", "Software Engineer", "Registered Nurse", "Warehouse Associate", "Office Manager",
    "Dental Hygienist", "Sales Representative", "Bookkeeper", "Project Manager", "Barista",
    "Line Cook", "Electrician", "Customer Support Specialist", "Data Analyst", "Veterinary Technician",
    "Marketing Coordinator", "Operations Lead", "Receptionist", "Senior Analyst", "Delivery Driver",
)
CONTACT_TITLES = ("HR Manager", "Benefits Administrator", "CFO", "Office Manager", "Controller", "CEO", "People Operations Lead")

MEDICAL_PLANS = (("Gold PPO 500", "ppo", "gold"), ("Silver HMO 2000", "hmo", "silver"),
                 ("Bronze HDHP 6000", "hdhp", "bronze"), ("Platinum EPO 250", "epo", "platinum"),
                 ("Silver POS 1500", "pos", "silver"))
DENTAL_PLANS = (("Dental PPO High", "ppo"), ("Dental PPO Low", "ppo"), ("Dental DHMO", "dhmo"))
VISION_PLANS = ("Vision Plus 130", "Vision Basic 10/25")

CONNECTION_ERRORS = {
    "unable_to_connect": (
        "The carrier could not find an active group with number {carrier_group_id}. Check the number and retry.",
        "The group's policy was terminated at the carrier on {date}.",
        "The carrier reports that a different broker of record is on file for this group.",
    ),
    "action_required": (
        "Map the group's plans and send the initial census as member snapshots.",
        "The carrier reported discrepancies in the test file: 3 members are missing dates of birth.",
        "Upload a broker of record letter so the carrier can release the group's data.",
    ),
    "noyo_review": (
        "Noyo is reconciling plan mappings with the carrier.",
        "Noyo is confirming the group's bill group structure with the carrier.",
    ),
    "waiting_on_carrier": (
        "The carrier is installing the group's account structure.",
        "Waiting for the carrier's feedback on the test file.",
    ),
}

RENEWAL_ISSUES = (
    ("error", "No plans found at the carrier for the renewal date."),
    ("warning", "Open enrollment window ends after the renewal date."),
    ("error", "Plan '{plan}' is not offered at renewal; choose a replacement."),
    ("warning", "Carrier has not yet published renewal rates."),
)
SNAPSHOT_ERRORS = (
    ("missing_required_field", "Dependent date of birth is required by the carrier.", "dependents[0].person.date_of_birth"),
    ("plan_not_found", "No plan named '{plan}' exists for this carrier on the effective date.", "coverages[0].plan_name"),
    ("invalid_effective_date", "Coverage cannot start before the employee's hire date.",
     "coverages[0].enrolled_members[0].effective_start_date"),
    ("ssn_invalid", "Social security number is not valid.", "employee.person.ssn"),
)
REQUEST_FAILURES = (
    "The carrier rejected the change: member not found on the carrier's roster.",
    "The carrier's system returned an unexpected error; re-submit as a new request.",
)
