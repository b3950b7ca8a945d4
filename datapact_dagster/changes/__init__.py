"""Contract change control: classified changes between two versions, semver enforced, SQL
shapes checked, git refs and history read, and the reports for people and CI."""
