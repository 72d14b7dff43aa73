// Code lists of the ID elements whose values Causeway maps to a meaning, by element reference number.
// An ID element listed here takes only these codes (997 AK403 7 otherwise); a partner profile can add
// codes it agreed with the partner (guidelines.extraCodes). Other ID elements are checked for shape:
// a code is upper-case letters and digits.

export const CODE_LISTS: Readonly<Record<string, readonly string[]>> = {
  // Shipment method of payment (W66-01, W27-04).
  '146': ['11', 'BP', 'CA', 'CC', 'CD', 'CF', 'DC', 'DE', 'DF', 'FO', 'HP', 'MX', 'NC', 'NR', 'PA', 'PB', 'PC', 'PD', 'PE', 'PL', 'PO', 'PP', 'PS', 'PU', 'RC', 'RF', 'RS', 'TP', 'WC'],
  // Transportation method/type (W66-02, W27-01, TD5-04).
  '91': [
    'A', 'AC', 'AE', 'AF', 'AH', 'AR', 'B', 'BP', 'BU', 'C', 'CE', 'D', 'DA', 'DW', 'E', 'ED', 'F', 'FA', 'FL', 'GG', 'GR', 'GS', 'H', 'HH', 'I', 'J', 'K',
    'L', 'LA', 'LD', 'LT', 'M', 'MB', 'MP', 'N', 'O', 'P', 'PA', 'PG', 'PL', 'PP', 'PR', 'PT', 'Q', 'R', 'RC', 'S', 'SB', 'SC', 'SD', 'SE', 'SR', 'SS',
    'ST', 'T', 'TA', 'TC', 'TT', 'U', 'VE', 'VL', 'W', 'WP', 'X', 'Y', 'Y1', 'Y2', 'ZZ',
  ],
  // Order status (W05-01): N original, R replace, F cancel, D delete — the ones a 940 is read by.
  '473': ['D', 'F', 'N', 'R'],
  // Reporting code (W06-01, W17-01).
  '514': ['A', 'B', 'C', 'F', 'J', 'K', 'N', 'O', 'P', 'R', 'S', 'X', 'Y'],
  // Acknowledgment codes (AK5-01 / IK5-01, AK9-01).
  '717': ['A', 'E', 'M', 'R', 'W', 'X'],
  '715': ['A', 'E', 'M', 'P', 'R', 'W', 'X'],
  // Segment and element syntax error codes (AK3-04, AK4-03).
  '720': ['1', '2', '3', '4', '5', '6', '7', '8', 'I4', 'I6', 'I7', 'I8', 'I9'],
  '723': ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '12', '13', 'I6', 'I9', 'I10', 'I11', 'I12', 'I13'],
  // Hierarchical child code (HL-04).
  '736': ['0', '1'],
  // Credit/debit flag (AMT-03).
  '478': ['C', 'D'],
};

/** ID elements whose values are not codes of letters and digits (a postal code holds spaces and hyphens). */
export const FREE_FORM_IDS: ReadonlySet<string> = new Set(['116', '156', '26', '1715', '721']);
