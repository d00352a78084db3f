/** The query GraphiQL opens with: a few patients, their encounters and each encounter's observations. */
export const EXAMPLE_QUERY = `# Patients of your organization, with their encounters and observations.
# The dev token in the Headers tab scopes every answer to one organization.
query PatientsWithEncounters {
  patients(first: 5) {
    totalCount
    edges {
      node {
        id
        gender
        encounters(first: 3) {
          edges {
            node {
              id
              status
              period { start end }
              observations(first: 3) {
                edges {
                  node {
                    id
                    code { coding { system code display } }
                    valueQuantity { value unit }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
`;

/** A one-line query for the `start` banner's curl example. */
export const QUICK_QUERY = '{ patients(first: 3) { totalCount edges { node { id gender birthDate } } } }';
