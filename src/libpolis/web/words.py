"""Words of the advocacy pages that come from data rather than from a template: the outcome
surveys' service areas, statements, answer scale and open questions
(``data/surveys/templates.json``), their outcome dimensions, and the stages of the Culture 21
Actions scale. Marked here with ``N_()`` so that the ``web`` catalog holds them; the templates
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
)
