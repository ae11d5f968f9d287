"""Words of the advocacy pages that come from data rather than from a template: the outcome
surveys' service areas, statements, answer scale and open questions
(``data/surveys/templates.json``), their outcome dimensions, the stages of the Culture 21
Actions scale and the questionnaire's actions (libpolis's own wordings). Marked here with ``N_()`` so that the ``web`` catalog holds them; the templates
write them with ``tr(value)``. ``tests/web/test_i18n_words.py`` fails when the survey
templates hold a wording this table lacks.
"""

from __future__ import annotations

from libpolis.report.i18n import N_

__all__ = ["ADVOCACY_WORDS"]

ADVOCACY_WORDS: tuple[str, ...] = (
    # stages of the 1-9 scale (libpolis.stats.culture21.stage_of)
    N_("emerging"),
    N_("developing"),
    N_("advanced"),
    # outcome dimensions and the groups results are shown by
    N_("knowledge"),
    N_("confidence"),
    N_("application"),
    N_("awareness"),
    N_("district"),
    # the answer scale
    N_("Strongly disagree"),
    N_("Disagree"),
    N_("Neither agree nor disagree"),
    N_("Agree"),
    N_("Strongly agree"),
    # open questions
    N_("What is one thing you take away from this session?"),
    N_("What would make this session more useful to you?"),
    # service areas and their statements
    N_("Early literacy"),
    N_("I now know more ways to share books, songs and rhymes with my child."),
    N_("I feel surer of myself reading aloud and playing with words with my child."),
    N_("I will try at home something I saw or did in this session."),
    N_("I know better what the library offers young children and their families."),
    N_("Digital inclusion"),
    N_("I understand better how to do the task we practised on a computer or phone."),
    N_("I feel more at ease using digital tools on my own."),
    N_("I expect to use what I learned here in the coming weeks."),
    N_("I know where to find digital help in the library when I need it."),
    N_("Job and career skills"),
    N_("I learned something I did not know about finding work or building my career."),
    N_("I feel better prepared for my next step at work or in looking for work."),
    N_("I plan to use what I learned in an application, an interview or at work."),
    N_("I know better which library services and partners can help me with work."),
    N_("Civic engagement"),
    N_("I understand better how a local issue or decision works."),
    N_("I feel more able to give my view on matters that affect my neighbourhood."),
    N_("I intend to take part in a local meeting, consultation or initiative."),
    N_("I know better where to find reliable information on local public matters."),
    N_("Health and well-being"),
    N_("I learned something useful about looking after my health or well-being."),
    N_("I feel more able to make choices about my health."),
    N_("I will change something in my daily life after this session."),
    N_("I know better where to find trustworthy health information and help."),
    N_("Summer reading"),
    N_("I (or my child) discovered new books or kinds of reading this summer."),
    N_("I (or my child) feel more like a reader than before."),
    N_("I (or my child) read more often because of the programme."),
    N_("I know better what the library has for readers of our age."),
    # the actions of the Culture 21 Actions questionnaire (culture21_actions.json)
    N_(
        "The library service states in its own policy that taking part in cultural life is a "
        "right of every resident."
    ),
    N_(
        "Barriers of cost, distance, language and disability to the library's cultural offer "
        "are measured and reduced."
    ),
    N_(
        "Residents, including those who rarely use the library, are asked what they want and "
        "their answers change the offer."
    ),
    N_("Staff are trained in cultural rights and apply them in everyday service."),
    N_(
        "The service reports regularly and in public on who its cultural offer reaches and who "
        "it misses."
    ),
    N_(
        "Local and community heritage (documents, oral history, photographs) is collected, "
        "described and opened to the public."
    ),
    N_(
        "Collections and events reflect the languages and cultural expressions present in the "
        "city."
    ),
    N_(
        "Local authors, artists and makers find space, equipment and an audience in the "
        "libraries."
    ),
    N_("Minority and indigenous cultures take part in deciding how their heritage is shown."),
    N_("Digitised heritage is published under open licences where rights allow."),
    N_("Libraries and schools work on reading and cultural education under a written agreement."),
    N_("Early-years reading and family literacy reach children in every district."),
    N_(
        "Adults find learning opportunities in the library throughout life (courses, study "
        "spaces, guidance)."
    ),
    N_("Media and information literacy is taught to all age groups."),
    N_("The effect of learning programmes on participants is evaluated and the results are used."),
    N_("Library programmes help residents understand climate change and the local environment."),
    N_("Buildings, mobile services and events reduce their energy use and waste."),
    N_("Sharing and lending of objects beyond books (tools, seeds, equipment) is offered."),
    N_("Local knowledge about nature and the land is collected and shared."),
    N_(
        "The service works with environmental organisations and city departments on joint "
        "activities."
    ),
    N_(
        "The library supports job seekers, entrepreneurs and workers with skills, space and "
        "information."
    ),
    N_("Creative workers and cultural enterprises use library resources and spaces."),
    N_("Fair pay and working conditions apply to artists and contractors the library engages."),
    N_(
        "The economic value of the library to the city is estimated and shared with decision-"
        "makers."
    ),
    N_(
        "Partnerships with local businesses are transparent and serve the library's public "
        "mission."
    ),
    N_(
        "Residents in every district and income group can reach a library within a reasonable "
        "time."
    ),
    N_("Outreach, mobile and home services reach people who cannot come to a library."),
    N_(
        "Programmes are designed with and for groups at risk of exclusion (newcomers, older "
        "people, people with disabilities)."
    ),
    N_("Services are free at the point of use, or charges are waived for those who cannot pay."),
    N_("Equity of use is monitored by district and group, and gaps lead to action."),
    N_(
        "Library locations, opening hours and new branches are part of the city's land-use and "
        "planning decisions."
    ),
    N_(
        "Libraries are open, welcoming public spaces where residents meet without having to buy"
        " anything."
    ),
    N_(
        "The library is often the nearest cultural venue, and its role as such is recognised in"
        " planning."
    ),
    N_("Library spaces host activities of other cultural and civic organisations."),
    N_("Residents take part in designing new or renewed library spaces."),
    N_(
        "Free public access to the internet, computers and digital help is available in every "
        "library."
    ),
    N_(
        "The library defends freedom of expression and access to information, including against"
        " censorship."
    ),
    N_("Residents' privacy is protected in every library service."),
    N_("The library publishes its own data as open data."),
    N_("Citizens' science, local journalism and public debate find support in the library."),
    N_(
        "The city and the library service share written goals for culture and review them "
        "together."
    ),
    N_("Partnerships of the library with civil society are recorded, with goals and indicators."),
    N_("Residents and users have a standing voice in the governance of the library service."),
    N_("Budgets for library services are stable and planned over several years."),
    N_("The library service takes part in national and international cultural networks."),
)
