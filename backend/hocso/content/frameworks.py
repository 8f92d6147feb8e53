"""The competence frameworks a module may name in `competences:`: the only place their codes are listed."""

from __future__ import annotations

# DigComp 2.2, the EU Digital Competence Framework for Citizens (JRC, 2022): 21 competences in 5 areas.
DIGCOMP: dict[str, str] = {
    "1.1": "Browsing, searching and filtering data, information and digital content",
    "1.2": "Evaluating data, information and digital content",
    "1.3": "Managing data, information and digital content",
    "2.1": "Interacting through digital technologies",
    "2.2": "Sharing through digital technologies",
    "2.3": "Engaging in citizenship through digital technologies",
    "2.4": "Collaborating through digital technologies",
    "2.5": "Netiquette",
    "2.6": "Managing digital identity",
    "3.1": "Developing digital content",
    "3.2": "Integrating and re-elaborating digital content",
    "3.3": "Copyright and licences",
    "3.4": "Programming",
    "4.1": "Protecting devices",
    "4.2": "Protecting personal data and privacy",
    "4.3": "Protecting health and well-being",
    "4.4": "Protecting the environment",
    "5.1": "Solving technical problems",
    "5.2": "Identifying needs and technological responses",
    "5.3": "Creatively using digital technologies",
    "5.4": "Identifying digital competence gaps",
}

# Decision 757/QĐ-BKHCN (29/4/2025), Annex I: the basic digital knowledge and skills framework, version 1.0,
# one framework per audience. Only the audiences are confirmed here; its competence areas and their codes
# are not yet, so no code for them is listed (see "review" in content/README.md). Never add a guessed code.
FRAMEWORK_VN: dict[str, str] = {
    "nguoi-dan": "Khung kỹ năng số cơ bản dành cho người dân (the framework for citizens)",
    "cbccvc": "Khung kỹ năng số cơ bản dành cho cán bộ, công chức, viên chức và người lao động trong cơ quan nhà nước "
    "(the framework for civil servants and public employees)",
}
